package dev.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.config.StickConfig;
import dev.gatehouse.limit.UsageChannel;
import dev.gatehouse.stick.StickTable;
import dev.gatehouse.time.WallClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stick entries and rate usage travel as channel payloads through the Raft log between lb1, lb2 and w1 on loopback. */
class ChannelSyncTest {

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
            try (Stream<Path> files = Files.walk(c.raftDir("lb2"))) {
                Path snapshot = files.filter(f -> f.getFileName().toString().startsWith("snapshot.")).findFirst().orElseThrow();
                assertThat(SnapshotFile.read(snapshot).sections()).as("sections of lb2's snapshot, by channel")
                        .containsOnlyKeys("stick", "usage")
                        .hasEntrySatisfying("stick", s -> assertThat(s.length).isGreaterThan(500 * 3 * Long.BYTES));
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
            TestUsage earlier = new TestUsage();
            earlier.admitted("web", "10.0.0.9", 50);
            List<byte[]> sent = new ArrayList<>();
            new UsageChannel(earlier, WallClock.system()).collect((payload, onFailed) -> sent.add(payload));
            Command stale = new Command.Channel("usage", "lb1", System.currentTimeMillis() - 10_000, sent.getFirst());
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
            // pool "web", one entry announced, one long of it sent
            byte[] cut = ByteBuffer.allocate(2 + 3 + 8 + 4 + 8).putShort((short) 3).put("web".getBytes(StandardCharsets.US_ASCII))
                    .putLong(1).putInt(1).putLong(key(1)).array();
            Command bad = new Command.Channel("stick", "lb1", System.currentTimeMillis(), cut);
            assertThat(c.member("lb2").proposeRaw(CommandCodec.encode(bad)).get(5, TimeUnit.SECONDS))
                    .isEqualTo(ClusterState.Outcome.MALFORMED);
            await().atMost(START).until(() -> c.members.values().stream().allMatch(m -> m.view().malformedCommands() == 1));
            assertThat(c.stickTables.values()).allMatch(t -> t.get("web") == null);
        }
    }

    @Test
    void aChannelThatFailsOnAPayloadHasItCountedAsMalformedAndStopsNothing() {
        ChannelSync sync = new ChannelSync("lb1", () -> 0);
        sync.register(new TestChannel("faulty", new byte[0], true));
        assertThat(sync.apply(new Command.Channel("faulty", "lb2", 0, new byte[1]))).isFalse();
        assertThat(sync.apply(new Command.Channel("other", "lb2", 0, new byte[1])))
                .as("a payload of a channel this member does not run is ignored, not malformed").isTrue();
    }

    private static long key(int i) {
        return i * 0x9E3779B97F4A7C15L;
    }
}
