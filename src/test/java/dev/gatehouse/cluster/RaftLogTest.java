package dev.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.config.StickConfig;
import dev.gatehouse.stick.StickTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Raft log each member keeps, in memory and on disk, stays bounded: it is cut into small segments, snapshotted
 * and purged behind the snapshot; and a member that was down while the others purged what it missed catches up from
 * a snapshot. Only the newest snapshot files are kept.
 */
class RaftLogTest {

    private static final Duration START = Duration.ofSeconds(30);
    private static final StickConfig STICK = new StickConfig(Duration.ofMinutes(30), 10_000);
    private static final Pattern CLOSED_SEGMENT = Pattern.compile("log_(\\d+)-(\\d+)");
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot\\.\\d+_(\\d+)");
    /** Proposals in flight at once while the test fills the log. */
    private static final int WINDOW = 64;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void theLogIsPurgedBehindSnapshotsAndAMemberLeftBehindCatchesUpFromOne() throws Exception {
        try (TestCluster c = new TestCluster(dir, TestCluster.preempt(false, Duration.ZERO)).start("lb1", "lb2", "w1")) {
            await().atMost(START).until(() -> c.member("lb1").owns(TestCluster.VIP));
            StickTable lb1 = c.stickTables.get("lb1").configure("web", STICK);
            lb1.record(1, 0xAL);
            await().atMost(START).until(() -> c.stickEntries("lb2", "web") == 1);
            c.member("lb2").halt();
            // lb2 holds no entry the others have not applied by now
            long missedFrom = Math.max(c.member("lb1").lastAppliedIndex(), c.member("w1").lastAppliedIndex()) + WINDOW;

            long filled = System.nanoTime();
            fill(List.of(c.member("lb1"), c.member("w1")), (int) RaftSetup.SNAPSHOT_EVERY + 1_000);
            System.out.printf("%d entries proposed in %d ms%n", RaftSetup.SNAPSHOT_EVERY + 1_000,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - filled));
            lb1.record(2, 0xBL);
            for (String id : List.of("lb1", "w1")) {
                await().atMost(START).until(() -> snapshotIndex(c, id).orElse(0) >= RaftSetup.SNAPSHOT_EVERY);
                await().atMost(START).untilAsserted(() -> assertThat(firstIndex(c, id)).as("%s's oldest entry", id)
                        .isGreaterThan(missedFrom));
                for (long size : closedSegmentSizes(c, id)) {
                    assertThat(size).as("a closed segment of %s", id).isLessThanOrEqualTo(RaftSetup.SEGMENT_SIZE.getSize());
                }
            }

            c.start("lb2", c.config); // a new process; what it missed is only in the others' snapshots now
            await().atMost(START).until(() -> c.stickEntries("lb2", "web") == 2);
            assertThat(c.stickTables.get("lb2").get("web").lookup(2)).isEqualTo(0xBL);
            assertThat(snapshotIndex(c, "lb2").orElse(0)).as("lb2 installed a snapshot").isGreaterThan(missedFrom);

            for (int i = 0; i < 2; i++) { // two more snapshots on lb1; it keeps only the newest files
                fill(List.of(c.member("lb1")), 10);
                c.member("lb1").snapshotNow();
            }
            assertThat(files(c, "lb1").stream().filter(f -> SNAPSHOT.matcher(f.getFileName().toString()).matches()))
                    .as("lb1's snapshot files").hasSize(ClusterStateMachine.SNAPSHOTS_KEPT);
        }
    }

    /** Proposes {@code count} small entries (payloads of a channel no member runs, which they ignore), by turns. */
    private static void fill(List<ClusterMember> members, int count) throws Exception {
        byte[] filler = CommandCodec.encode(new Command.Channel("filler", "lb1", 1, new byte[16]));
        List<CompletableFuture<ClusterState.Outcome>> window = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            window.add(members.get(i % members.size()).proposeRaw(filler));
            if (window.size() == WINDOW || i == count - 1) {
                for (CompletableFuture<ClusterState.Outcome> f : window) {
                    assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(ClusterState.Outcome.ACCEPTED);
                }
                window.clear();
            }
        }
    }

    private static List<Path> files(TestCluster c, String id) throws IOException {
        try (Stream<Path> all = Files.walk(c.raftDir(id))) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    private static long firstIndex(TestCluster c, String id) throws IOException {
        return files(c, id).stream().map(f -> f.getFileName().toString()).mapToLong(name -> {
            Matcher closed = CLOSED_SEGMENT.matcher(name);
            if (closed.matches()) {
                return Long.parseLong(closed.group(1));
            }
            return name.startsWith("log_inprogress_") ? Long.parseLong(name.substring("log_inprogress_".length())) : Long.MAX_VALUE;
        }).min().orElse(Long.MAX_VALUE);
    }

    private static OptionalLong snapshotIndex(TestCluster c, String id) throws IOException {
        return files(c, id).stream().map(f -> SNAPSHOT.matcher(f.getFileName().toString())).filter(Matcher::matches)
                .mapToLong(m -> Long.parseLong(m.group(1))).max();
    }

    private static List<Long> closedSegmentSizes(TestCluster c, String id) throws IOException {
        List<Long> sizes = new ArrayList<>();
        for (Path f : files(c, id)) {
            if (CLOSED_SEGMENT.matcher(f.getFileName().toString()).matches()) {
                sizes.add(Files.size(f));
            }
        }
        return sizes;
    }
}
