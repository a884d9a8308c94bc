package dev.gatehouse.bfd;

import static dev.gatehouse.bfd.BfdInteropTest.awaitPeerSends;
import static dev.gatehouse.bfd.BfdInteropTest.hold;
import static dev.gatehouse.bfd.BfdInteropTest.holdUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.lab.LabProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How long a JVM pause a 100 ms × 3 session survives, against BIRD 2: Gatehouse's JVM is frozen whole (SIGSTOP, as
 * a stop-the-world pause) for a series of lengths. What decides is the silence the router sees on the wire, from
 * Gatehouse's last packet before the pause to its first after: the pause plus the age of that last packet (0 to
 * one interval). The router must declare the session down exactly when that silence exceeds its detection time.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BfdPauseTest {

    private static final long[] PAUSES_MILLIS = {100, 150, 200, 250, 300, 400};

    record Trial(long pauseMillis, long silenceMillis, boolean down) {}

    @Test
    void bird2DeclaresDownExactlyWhenTheSilenceExceedsTheDetectionTime() throws Exception {
        try (NamespacePair lab = NamespacePair.up()) {
            BfdInteropTest.Setup setup = BfdInteropTest.upWith(lab, RouterPeer::bird);
            WireWatch wire = setup.wire();
            LabProcess gatehouse = setup.gatehouse();
            List<Trial> trials = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (long pause : PAUSES_MILLIS) {
                    trials.add(trial(wire, gatehouse, pause));
                }
            }
            System.out.println("bfd pause: requested ms, silence on the wire ms, bird2 declared down");
            trials.forEach(t -> System.out.printf("bfd pause: %d %d %s%n", t.pauseMillis(), t.silenceMillis(), t.down()));

            long detection = BfdInteropTest.DETECTION_MILLIS;
            assertThat(trials).filteredOn(t -> t.silenceMillis() < detection - 10).isNotEmpty().noneMatch(Trial::down);
            assertThat(trials).filteredOn(t -> t.silenceMillis() > detection + 30).isNotEmpty().allMatch(Trial::down);
            assertThat(trials).filteredOn(t -> t.pauseMillis() <= 150).noneMatch(Trial::down);
        }
    }

    private static Trial trial(WireWatch wire, LabProcess gatehouse, long pauseMillis) {
        awaitSteadyUp(wire);
        long stopping = System.nanoTime();
        Signals.stop(gatehouse.pid());
        long stopped = System.nanoTime();
        holdUntil(stopping + pauseMillis * 1_000_000);
        Signals.resume(gatehouse.pid());
        long resumed = System.nanoTime();
        hold(Duration.ofMillis(400)); // the router has had time to judge the silence
        List<WireWatch.Packet> ours = wire.packets().stream()
                .filter(p -> p.from().equals(NamespacePair.GATEHOUSE_ADDRESS)).toList();
        long lastBefore = ours.stream().filter(p -> p.nanos() <= stopped).mapToLong(WireWatch.Packet::nanos).max()
                .orElseThrow();
        long firstAfter = ours.stream().filter(p -> p.nanos() > lastBefore).mapToLong(WireWatch.Packet::nanos).min()
                .orElseThrow();
        boolean down = wire.packets().stream().anyMatch(p -> p.from().equals(NamespacePair.ROUTER_ADDRESS)
                && p.state() == BfdInteropTest.DOWN && p.nanos() > stopping && p.nanos() <= resumed + 400_000_000L);
        return new Trial((resumed - stopping) / 1_000_000, (firstAfter - lastBefore) / 1_000_000, down);
    }

    /** Both sides Up and the router's last packets Up, for at least a second (the Poll after coming Up is done). */
    private static void awaitSteadyUp(WireWatch wire) {
        long since = System.nanoTime();
        awaitPeerSends(wire, p -> p.state() == BfdInteropTest.UP && p.nanos() > since, 0);
        hold(Duration.ofSeconds(1));
        long later = System.nanoTime();
        awaitPeerSends(wire, p -> p.state() == BfdInteropTest.UP && p.nanos() > later, 0);
    }
}
