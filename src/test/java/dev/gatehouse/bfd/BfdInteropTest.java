package dev.gatehouse.bfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.lab.LabProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Gatehouse's BFD against BIRD 2 and FRR's bfdd, each a real process one hop away (two network namespaces joined
 * by veth), with 100 ms × 3: the session comes Up; a frozen Gatehouse JVM (SIGSTOP, as a long GC pause or a stuck
 * process would) is declared Down by the peer within the detection time; a killed peer is declared Down by
 * Gatehouse within the detection time. The peer's verdicts are read on the wire (its first Down packet).
 * Needs root (namespaces), the peers and python3.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BfdInteropTest {

    static final long INTERVAL_MILLIS = 100;
    static final int MULTIPLIER = 3;
    static final long DETECTION_MILLIS = INTERVAL_MILLIS * MULTIPLIER;
    /** The peers' timers and this busy 2-core machine: measured 4–40 ms beyond the detection time. */
    static final long MARGIN_MILLIS = 100;
    static final int DOWN = SessionState.DOWN.code();
    static final int UP = SessionState.UP.code();

    /** A state change Gatehouse's side printed: {@code change FROM TO DIAGNOSTIC NANOS}. */
    record OurChange(String from, String to, String diagnostic, long nanos) {
        static OurChange parse(String line) {
            String[] f = line.split(" ");
            return new OurChange(f[1], f[2], f[3], Long.parseLong(f[4]));
        }
    }

    /** A session Up between a real peer and Gatehouse's child JVM, with the wire watched. */
    record Setup(WireWatch wire, RouterPeer peer, LabProcess gatehouse) {}

    static Setup upWith(NamespacePair lab, BiFunction<NamespacePair, Long, RouterPeer> starter) {
        WireWatch wire = WireWatch.start(lab);
        RouterPeer peer = starter.apply(lab, INTERVAL_MILLIS);
        LabProcess gatehouse = lab.spawnGatehouse(INTERVAL_MILLIS, MULTIPLIER);
        awaitOurs(gatehouse, "UP", 0, Duration.ofSeconds(90));
        return new Setup(wire, peer, gatehouse);
    }

    @Test
    void bird2() throws Exception {
        scenario(RouterPeer::bird);
    }

    @Test
    void frrBfdd() throws Exception {
        scenario(RouterPeer::frr);
    }

    private void scenario(BiFunction<NamespacePair, Long, RouterPeer> starter) throws Exception {
        try (NamespacePair lab = NamespacePair.up()) {
            Setup setup = upWith(lab, starter);
            WireWatch wire = setup.wire();
            RouterPeer peer = setup.peer();
            LabProcess gatehouse = setup.gatehouse();
            // Up, and the Poll that moved Gatehouse off the slow (1 s) timers of a session not yet Up answered with
            // Final: frozen before that, the peer would still detect with 3 x 1 s
            awaitPeerSends(wire, p -> p.state() == UP && p.fin(), 0);
            System.out.println("bfd interop: " + peer.name() + " sees the session Up:\n" + peer.show());
            assertThat(wire.packets()).filteredOn(p -> p.from().equals(NamespacePair.GATEHOUSE_ADDRESS))
                    .isNotEmpty().allMatch(p -> p.ttl() == 255);

            // Gatehouse frozen whole: the peer declares it down one detection time after its last packet.
            // On this busy machine the test thread itself may lose the CPU around kill(2): the stop is somewhere in
            // [stopping, stopped]. Its last packet on the wire says when Gatehouse actually fell silent.
            long stopping = System.nanoTime();
            Signals.stop(gatehouse.pid());
            long stopped = System.nanoTime();
            WireWatch.Packet verdict;
            try {
                verdict = awaitPeerSends(wire, p -> p.state() == DOWN && p.nanos() > stopping, 0);
            } finally {
                Signals.resume(gatehouse.pid());
            }
            long lastOurs = wire.packets().stream().filter(p -> p.from().equals(NamespacePair.GATEHOUSE_ADDRESS))
                    .filter(p -> p.nanos() < verdict.nanos()).mapToLong(WireWatch.Packet::nanos).max().orElseThrow();
            long afterLast = (verdict.nanos() - lastOurs) / 1_000_000;
            long afterStop = (verdict.nanos() - stopped) / 1_000_000;
            System.out.printf("bfd interop: %s declared a frozen Gatehouse down (diag %d) %d ms after its last packet,"
                    + " %d-%d ms after SIGSTOP (%d x %d ms)%n", peer.name(), verdict.diag(), afterLast, afterStop,
                    (verdict.nanos() - stopping) / 1_000_000, MULTIPLIER, INTERVAL_MILLIS);
            assertThat(lastOurs).as("no packet after the stop").isLessThanOrEqualTo(stopped);
            assertThat(verdict.diag()).isEqualTo(Diagnostic.CONTROL_DETECTION_TIME_EXPIRED.code());
            assertThat(afterLast).isBetween(DETECTION_MILLIS - 10, DETECTION_MILLIS + MARGIN_MILLIS);
            assertThat(afterStop).isLessThanOrEqualTo(DETECTION_MILLIS + MARGIN_MILLIS);

            awaitOurs(gatehouse, "UP", 1, Duration.ofSeconds(30));

            // The peer killed (it sends nothing more): Gatehouse declares it down within the detection time.
            int downsBefore = ours(gatehouse, "DOWN").size();
            Signals.kill(peer.process().pid());
            long killed = System.nanoTime();
            OurChange ours = awaitOurs(gatehouse, "DOWN", downsBefore, Duration.ofSeconds(5));
            long oursAfterKill = (ours.nanos() - killed) / 1_000_000;
            long peersLast = wire.packets().stream().filter(p -> p.from().equals(NamespacePair.ROUTER_ADDRESS))
                    .filter(p -> p.nanos() < ours.nanos()).mapToLong(WireWatch.Packet::nanos).max().orElseThrow();
            long oursAfterLast = (ours.nanos() - peersLast) / 1_000_000;
            System.out.printf("bfd interop: Gatehouse declared the killed %s down (%s) %d ms after its last packet,"
                    + " %d ms after SIGKILL%n", peer.name(), ours.diagnostic(), oursAfterLast, oursAfterKill);
            assertThat(ours.diagnostic()).isEqualTo(Diagnostic.CONTROL_DETECTION_TIME_EXPIRED.name());
            assertThat(oursAfterLast).isBetween(DETECTION_MILLIS - 10, DETECTION_MILLIS + MARGIN_MILLIS);
            assertThat(oursAfterKill).isLessThanOrEqualTo(DETECTION_MILLIS + MARGIN_MILLIS);
        }
    }

    /** Scenario time, not synchronisation: lets {@code span} pass. */
    static void hold(Duration span) {
        holdUntil(System.nanoTime() + span.toNanos());
    }

    /** Scenario time: returns once {@link System#nanoTime()} has reached {@code deadline}. */
    static void holdUntil(long deadline) {
        await().atMost(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())).plusSeconds(1))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                .until(() -> System.nanoTime() - deadline >= 0);
    }

    static List<OurChange> ours(LabProcess gatehouse, String to) {
        return gatehouse.lines().stream().filter(l -> l.startsWith("change ")).map(OurChange::parse)
                .filter(c -> c.to().equals(to)).toList();
    }

    static OurChange awaitOurs(LabProcess gatehouse, String to, int nth, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(10))
                .failFast("Gatehouse's side exited: " + gatehouse.lines(), () -> !gatehouse.isAlive())
                .until(() -> ours(gatehouse, to).size() > nth);
        return ours(gatehouse, to).get(nth);
    }

    /** The {@code nth} packet from the router that matches, once it has been seen on the wire. */
    static WireWatch.Packet awaitPeerSends(WireWatch wire, Predicate<WireWatch.Packet> match, int nth) {
        Predicate<WireWatch.Packet> wanted = match.and(p -> p.from().equals(NamespacePair.ROUTER_ADDRESS));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(() -> wire.packets().stream().filter(wanted).count() > nth);
        return wire.packets().stream().filter(wanted).skip(nth).findFirst().orElseThrow();
    }
}
