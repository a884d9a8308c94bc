package dev.gatehouse.stick;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.cluster.channel.ReplicatedChannel;
import dev.gatehouse.config.StickConfig;
import dev.gatehouse.metrics.Metrics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StickChannelTest {

    private static final StickConfig STICK = new StickConfig(Duration.ofMinutes(30), 10_000);
    private static final long A = 0xAAAAL;
    private static final long B = 0xBBBBL;

    private final long[] now = {1_000_000};
    private final StickTables from = new StickTables(() -> now[0]);
    private final StickTables to = new StickTables(() -> now[0]);
    private final StickChannel sender = new StickChannel(from, () -> now[0]);
    private final StickChannel receiver = new StickChannel(to, () -> now[0]);

    @Test
    void whatOneNodeRecordsIsAppliedToThePoolsTableOnAnother() {
        StickTable web = from.configure("web", STICK);
        for (int i = 1; i <= StickChannel.MAX_ENTRIES + 10; i++) {
            web.record(key(i), i % 2 == 0 ? A : B);
        }
        List<byte[]> sent = collect(sender);
        assertThat(sent).as("a full batch and the rest").hasSize(2);
        assertThat(sent.getFirst().length).isLessThanOrEqualTo(ReplicatedChannel.MAX_PAYLOAD);

        now[0] += 250;
        sent.forEach(p -> assertThat(receiver.apply("lb1", false, now[0], p)).isTrue());
        assertThat(to.get("web").entries()).isEqualTo(StickChannel.MAX_ENTRIES + 10);
        assertThat(to.get("web").lookup(key(2))).isEqualTo(A);
        assertThat(to.get("web").lookup(key(StickChannel.MAX_ENTRIES + 9))).isEqualTo(B);
    }

    @Test
    void aBatchTheClusterDidNotTakeGoesOutAgain() {
        from.configure("web", STICK).record(key(1), A);
        List<Runnable> failures = new ArrayList<>();
        sender.collect((payload, onFailed) -> failures.add(onFailed));
        assertThat(collect(sender)).as("nothing left once sent").isEmpty();

        failures.forEach(Runnable::run);
        List<byte[]> again = collect(sender);
        assertThat(again).hasSize(1);
        assertThat(receiver.apply("lb1", false, now[0], again.getFirst())).isTrue();
        assertThat(to.get("web").lookup(key(1))).isEqualTo(A);
    }

    @Test
    void aMalformedPayloadIsRefusedWholeAndNothingOfItApplied() {
        StickTable web = from.configure("web", STICK);
        web.record(key(1), A);
        web.record(key(2), B);
        byte[] good = collect(sender).getFirst();

        byte[] cut = Arrays.copyOf(good, good.length - 1);
        byte[] trailing = Arrays.copyOf(good, good.length + 8);
        byte[] badName = good.clone();
        badName[2] = ' '; // "web" -> " eb": not an identifier
        byte[] zeroEndpoint = good.clone();
        ByteBuffer.wrap(zeroEndpoint).putLong(good.length - 16, 0); // the second entry's endpoint
        byte[] tooMany = good.clone();
        ByteBuffer.wrap(tooMany).putInt(2 + 3 + 8, StickChannel.MAX_ENTRIES + 1);
        byte[] hugeName = good.clone();
        ByteBuffer.wrap(hugeName).putShort(0, (short) -1);

        for (byte[] bad : List.of(cut, trailing, badName, zeroEndpoint, tooMany, hugeName, new byte[0])) {
            assertThat(receiver.apply("lb1", false, now[0], bad)).isFalse();
        }
        assertThat(to.get("web")).as("no table made for a refused batch").isNull();
    }

    @Test
    void theReplicationLagIsHowOldTheBatchIsWhenAnotherNodeAppliesIt() {
        from.configure("web", STICK).record(key(1), A);
        byte[] batch = collect(sender).getFirst();
        now[0] += 1_500;
        receiver.apply("lb1", false, now[0], batch);
        assertThat(lag(to)).isEqualTo(1.5);

        now[0] += 1_000;
        receiver.apply("lb2", true, now[0], batch);
        assertThat(lag(to)).as("a node's own batch is no measure of the lag").isEqualTo(1.5);
    }

    @Test
    void aSnapshotCarriesTheLiveEntriesAndReplacesWhatTheLoaderHeld() throws IOException {
        from.configure("web", STICK).record(key(1), A);
        from.configure("api", STICK).record(key(2), B);
        from.get("api").apply(key(3), A, now[0] - 1);
        to.configure("web", STICK).record(key(9), B);

        ByteArrayOutputStream written = new ByteArrayOutputStream();
        sender.writeSnapshot(new DataOutputStream(written));
        receiver.restore(new DataInputStream(new ByteArrayInputStream(written.toByteArray())));

        assertThat(to.get("web").lookup(key(1))).isEqualTo(A);
        assertThat(to.get("web").lookup(key(9))).as("replaced by the snapshot").isEqualTo(StickTable.NONE);
        assertThat(to.get("api").lookup(key(2))).isEqualTo(B);
        assertThat(to.get("api").entries()).as("expired entries are not carried").isEqualTo(1);

        receiver.restore(null);
        assertThat(to.get("web").entries()).as("a snapshot without the channel empties the tables").isZero();
    }

    private static List<byte[]> collect(StickChannel channel) {
        List<byte[]> sent = new ArrayList<>();
        channel.collect((payload, onFailed) -> sent.add(payload));
        return sent;
    }

    private static double lag(StickTables tables) {
        Metrics metrics = new Metrics();
        tables.exportTo(metrics);
        return metrics.registry().get("gatehouse_stick_replication_lag_seconds").gauge().value();
    }

    private static long key(int i) {
        return i * 0x9E3779B97F4A7C15L;
    }
}
