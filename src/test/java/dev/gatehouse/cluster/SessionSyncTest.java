package dev.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.cluster.Command.Usage.ClientUsage;
import dev.gatehouse.config.StickConfig;
import dev.gatehouse.stick.StickTable;
import dev.gatehouse.stick.StickTables;
import dev.gatehouse.time.WallClock;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stick entries and rate usage travel through the Raft log between lb1, lb2 and w1 on loopback. */
class SessionSyncTest {

    private static final Duration START = Duration.ofSeconds(30);
    private static final StickConfig STICK = new StickConfig(Duration.ofMinutes(30), 10_000);
    private static final long A = 0xAAAAL;
    private static final long B = 0xBBBBL;

    @TempDir
    Path dir;

    @Test
    void entriesRecordedOnOneNodeReachEveryMemberAndARestartedMemberGetsThemBack() throws Exception {
        try (TestCluster c = new TestCluster(dir, TestCluster.preempt(false, Duration.ZERO)).start("lb1", "lb2", "w1")) {
            await().atMost(START).until(() -> c.member("lb1").owns(TestCluster.VIP));
            StickTable lb1 = c.stickTables.get("lb1").configure("web", STICK);
            long recorded = System.currentTimeMillis();
            for (int i = 1; i <= 500; i++) {
                lb1.record(key(i), A);
            }
            await().atMost(START).until(() -> c.stickEntries("lb2", "web") == 500 && c.stickEntries("w1", "web") == 500);
            System.out.printf("500 stick entries on every member after %d ms%n", System.currentTimeMillis() - recorded);
            assertThat(c.stickTables.get("lb2").get("web").lookup(key(1))).isEqualTo(A);

            c.member("lb2").snapshotNow();
            try (Stream<Path> files = Files.walk(dir.resolve("raft-lb2"))) {
                Path snapshot = files.filter(f -> f.getFileName().toString().startsWith("snapshot.")).findFirst().orElseThrow();
                assertThat(Files.readString(snapshot)).contains("\"stick\":{\"web\":[");
            }
            c.member("lb2").halt();
            for (int i = 501; i <= 1000; i++) {
                lb1.record(key(i), B);
            }
            await().atMost(START).until(() -> c.stickEntries("w1", "web") == 1000);

            c.start("lb2", c.config); // a new process: empty tables, then the snapshot, its log and the catch-up
            await().atMost(START).until(() -> c.stickEntries("lb2", "web") == 1000);
            StickTable lb2 = c.stickTables.get("lb2").get("web");
            assertThat(lb2.lookup(key(1))).isEqualTo(A);
            assertThat(lb2.lookup(key(1000))).isEqualTo(B);
        }
    }

    @Test
    void usageReachesTheOtherMembersOnlyAndOnlyWhileFresh() throws Exception {
        try (TestCluster c = new TestCluster(dir, TestCluster.preempt(false, Duration.ZERO)).start("lb1", "lb2", "w1")) {
            await().atMost(START).until(() -> c.member("lb1").owns(TestCluster.VIP));
            // as a log replayed at restart would deliver it: too old to count
            Command stale = new Command.Usage("lb1", System.currentTimeMillis() - 10_000,
                    List.of(new ClientUsage("web", "10.0.0.9", 50)));
            assertThat(c.member("lb1").proposeRaw(CommandCodec.encode(stale)).get(5, TimeUnit.SECONDS))
                    .isEqualTo(ClusterState.Outcome.ACCEPTED);
            c.usage.get("lb1").admitted("web", "10.0.0.1", 7);
            c.usage.get("lb1").admitted("api", "10.0.0.2", 3);

            TestUsage.Use fresh = new TestUsage.Use("web", "10.0.0.1", 7);
            await().atMost(START).until(() -> c.usage.get("lb2").absorbed.contains(fresh)
                    && c.usage.get("w1").absorbed.contains(fresh));
            assertThat(c.usage.get("lb2").absorbedList()).containsExactly(fresh, new TestUsage.Use("api", "10.0.0.2", 3));
            assertThat(c.usage.get("lb1").absorbedList()).as("its own usage is counted already").isEmpty();
        }
    }

    @Test
    void aMalformedStickBatchIsRefusedAndCounted() throws Exception {
        try (TestCluster c = new TestCluster(dir, TestCluster.preempt(false, Duration.ZERO)).start("lb1", "lb2", "w1")) {
            await().atMost(START).until(() -> c.member("lb1").owns(TestCluster.VIP));
            String bad = "{\"v\":1,\"command\":{\"type\":\"stick\",\"origin\":\"lb1\",\"pool\":\"web\",\"recordedAt\":1,"
                    + "\"entries\":[1,2]}}";
            assertThat(c.member("lb2").proposeRaw(bad.getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS))
                    .isEqualTo(ClusterState.Outcome.MALFORMED);
            await().atMost(START).until(() -> c.members.values().stream().allMatch(m -> m.view().malformedCommands() == 1));
            assertThat(c.stickTables.values()).allMatch(t -> t.get("web") == null);
        }
    }

    @Test
    void aSnapshotCarriesTheLiveEntriesAndReplacesWhatTheLoaderHeld() throws Exception {
        long now = System.currentTimeMillis();
        StickTables source = new StickTables(() -> now);
        SessionSync from = new SessionSync("lb1", () -> now);
        from.attach(source, null);
        source.configure("web", STICK).record(key(1), A);
        source.configure("api", STICK).record(key(2), B);
        source.get("api").apply(key(3), A, now - 1);

        StickTables target = new StickTables(() -> now);
        SessionSync to = new SessionSync("lb2", () -> now);
        to.attach(target, null);
        target.configure("web", STICK).record(key(9), B);
        ObjectMapper json = new ObjectMapper();
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        try (JsonGenerator out = json.createGenerator(written)) {
            from.writeSnapshot(out);
        }
        to.load(json.readTree(written.toByteArray()));

        assertThat(target.get("web").lookup(key(1))).isEqualTo(A);
        assertThat(target.get("web").lookup(key(9))).as("replaced by the snapshot").isEqualTo(StickTable.NONE);
        assertThat(target.get("api").lookup(key(2))).isEqualTo(B);
        assertThat(target.get("api").entries()).as("expired entries are not carried").isEqualTo(1);
    }

    private static long key(int i) {
        return i * 0x9E3779B97F4A7C15L;
    }
}
