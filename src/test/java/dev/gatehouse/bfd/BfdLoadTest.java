package dev.gatehouse.bfd;

import static dev.gatehouse.bfd.BfdInteropTest.awaitPeerSends;
import static dev.gatehouse.bfd.BfdInteropTest.holdUntil;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Transmission stays punctual when Gatehouse's JVM has every CPU busy: the intervals between its packets on the
 * wire (kernel timestamps), 10 s quiet then 10 s with two allocating busy threads per processor in the same JVM,
 * against BIRD 2 at 100 ms × 3. Jitter alone puts gaps at 75–100 ms; lateness shows as gaps above 100 ms.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BfdLoadTest {

    private static final long WINDOW_NANOS = Duration.ofSeconds(10).toNanos();

    @Test
    void gapsStayFarBelowTheDetectionTimeUnderFullCpu() throws Exception {
        try (NamespacePair lab = NamespacePair.up()) {
            BfdInteropTest.Setup setup = BfdInteropTest.upWith(lab, RouterPeer::bird);
            long quietFrom = System.nanoTime() + Duration.ofSeconds(2).toNanos(); // after the Poll that follows Up
            holdUntil(quietFrom + WINDOW_NANOS);
            long loadFrom = System.nanoTime();
            setup.gatehouse().send("load 10");
            holdUntil(loadFrom + WINDOW_NANOS);

            WireWatch wire = setup.wire();
            List<Long> quiet = gapsMicros(wire, quietFrom, quietFrom + WINDOW_NANOS);
            List<Long> loaded = gapsMicros(wire, loadFrom, loadFrom + WINDOW_NANOS);
            System.out.println("bfd load: quiet  " + summary(quiet));
            System.out.println("bfd load: loaded " + summary(loaded));

            assertThat(quiet).hasSizeGreaterThan(90);
            assertThat(loaded).hasSizeGreaterThan(80);
            // at most a third of the detection time late: the peer never comes near declaring it down
            assertThat(loaded.getLast()).isLessThan(200_000);
            assertThat(wire.packets()).noneMatch(p -> p.from().equals(NamespacePair.ROUTER_ADDRESS)
                    && p.state() == BfdInteropTest.DOWN && p.nanos() > quietFrom);
            assertThat(BfdInteropTest.ours(setup.gatehouse(), "DOWN")).isEmpty();
        }
    }

    /** The gaps between Gatehouse's consecutive packets inside the window (Finals excepted), sorted. */
    private static List<Long> gapsMicros(WireWatch wire, long from, long to) {
        List<Long> times = wire.packets().stream().filter(p -> p.from().equals(NamespacePair.GATEHOUSE_ADDRESS))
                .filter(p -> !p.fin() && p.nanos() >= from && p.nanos() < to).map(WireWatch.Packet::nanos).toList();
        return java.util.stream.IntStream.range(1, times.size()).mapToObj(i -> (times.get(i) - times.get(i - 1)) / 1000)
                .sorted().toList();
    }

    private static String summary(List<Long> sorted) {
        long late = sorted.stream().filter(g -> g > 100_000).count();
        return "%d gaps, min %.1f ms, median %.1f, p99 %.1f, max %.1f; %d above 100 ms".formatted(sorted.size(),
                sorted.getFirst() / 1e3, sorted.get(sorted.size() / 2) / 1e3, sorted.get(sorted.size() * 99 / 100) / 1e3,
                sorted.getLast() / 1e3, late);
    }
}
