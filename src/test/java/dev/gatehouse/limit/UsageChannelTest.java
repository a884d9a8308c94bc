package dev.gatehouse.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.cluster.channel.ReplicatedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UsageChannelTest {

    private record Use(String listener, String client, long requests) {}

    /** Local usage a test sets, and what it absorbed from other nodes. */
    private static final class Usage implements UsageExchange {
        final List<Use> local = new ArrayList<>();
        final List<Use> absorbed = new ArrayList<>();

        @Override
        public void drainLocal(Sink sink) {
            local.forEach(u -> sink.usage(u.listener(), u.client(), u.requests()));
            local.clear();
        }

        @Override
        public void absorbRemote(String listener, String client, long requests) {
            absorbed.add(new Use(listener, client, requests));
        }
    }

    private final long[] now = {1_000_000};
    private final Usage here = new Usage();
    private final Usage there = new Usage();
    private final UsageChannel sender = new UsageChannel(here, () -> now[0]);
    private final UsageChannel receiver = new UsageChannel(there, () -> now[0]);

    @Test
    void theOtherNodesAbsorbWhatOneAdmittedOnceAndInPayloadsThatFit() {
        for (int i = 0; i < 10_000; i++) {
            here.local.add(new Use("web", "2001:db8::" + Integer.toHexString(i), i + 1));
        }
        List<byte[]> sent = collect();
        assertThat(sent).hasSizeGreaterThan(1).allMatch(p -> p.length <= ReplicatedChannel.MAX_PAYLOAD);
        assertThat(collect()).as("drained once").isEmpty();

        sent.forEach(p -> assertThat(receiver.apply("lb1", false, now[0] - UsageChannel.MAX_AGE_MILLIS, p)).isTrue());
        assertThat(there.absorbed).hasSize(10_000);
        assertThat(there.absorbed.getLast()).isEqualTo(new Use("web", "2001:db8::270f", 10_000));
    }

    @Test
    void aNodeIgnoresItsOwnUsageAndUsageTooOldToCount() {
        here.local.add(new Use("web", "203.0.113.9", 5));
        byte[] payload = collect().getFirst();

        assertThat(receiver.apply("lb2", true, now[0], payload)).isTrue();
        assertThat(receiver.apply("lb1", false, now[0] - UsageChannel.MAX_AGE_MILLIS - 1, payload)).isTrue();
        assertThat(there.absorbed).isEmpty();
    }

    @Test
    void aMalformedPayloadIsRefusedAndNothingOfItAbsorbed() {
        here.local.add(new Use("web", "203.0.113.9", 5));
        here.local.add(new Use("api", "203.0.113.10", 3));
        byte[] good = collect().getFirst();

        byte[] cut = Arrays.copyOf(good, good.length - 1);
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        byte[] negative = good.clone();
        ByteBuffer.wrap(negative).putLong(good.length - 8, -3);
        byte[] hugeCount = good.clone();
        ByteBuffer.wrap(hugeCount).putInt(0, Integer.MAX_VALUE);
        for (byte[] bad : List.of(cut, trailing, negative, hugeCount, new byte[2])) {
            assertThat(receiver.apply("lb1", false, now[0], bad)).isFalse();
        }
        assertThat(there.absorbed).isEmpty();
    }

    private List<byte[]> collect() {
        List<byte[]> sent = new ArrayList<>();
        sender.collect((payload, onFailed) -> sent.add(payload));
        return sent;
    }
}
