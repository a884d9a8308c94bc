package dev.gatehouse.bfd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The state machine of RFC 5880 §6.8 between two sessions joined by a stepped-clock link: no sockets, no sleeps. */
class SessionTest {

    private static final Duration LINK_DELAY = Duration.ofMillis(1);

    private final SteppedTimers timers = new SteppedTimers();

    /** One end: its session, what it sent (with when) and every change it reported. */
    private final class End implements Session.Output {
        final List<ControlPacket> sent = new ArrayList<>();
        final List<Long> sentAt = new ArrayList<>();
        final List<StateChange> changes = new ArrayList<>();
        final List<Drop> drops = new ArrayList<>();
        Session session;
        End peer;
        boolean linkUp = true;

        End(int discriminator, Duration tx, Duration rx, int mult) {
            SessionParameters p = SessionParameters.builder().local(address(discriminator)).peer(address(99))
                    .desiredMinTx(tx).requiredMinRx(rx).detectMultiplier(mult).build();
            session = new Session(p, discriminator, timers, new SplittableRandom(discriminator), this);
        }

        @Override
        public void send(ControlPacket packet) {
            sent.add(packet);
            sentAt.add(timers.nanoTime());
            if (linkUp && peer != null) {
                End to = peer;
                timers.schedule(LINK_DELAY.toNanos(), () -> {
                    Drop drop = to.session.receive(packet);
                    if (drop != null) {
                        to.drops.add(drop);
                    }
                });
            }
        }

        @Override
        public void stateChanged(StateChange change) {
            changes.add(change);
        }

        ControlPacket last() {
            return sent.getLast();
        }
    }

    private End a;
    private End b;

    private void pair(Duration txA, Duration rxA, int multA, Duration txB, Duration rxB, int multB) {
        a = new End(1, txA, rxA, multA);
        b = new End(2, txB, rxB, multB);
        a.peer = b;
        b.peer = a;
    }

    private void bothUp() {
        a.session.start();
        b.session.start();
        timers.advance(Duration.ofSeconds(3));
        assertThat(a.session.state()).isEqualTo(SessionState.UP);
        assertThat(b.session.state()).isEqualTo(SessionState.UP);
    }

    @Test
    void theThreeWayHandshakeBringsBothUpAndTellsTheListener() {
        pair(ms(100), ms(100), 3, ms(100), ms(100), 3);
        a.session.start();
        timers.advance(ms(500)); // a's first packet (Down) reaches b, which has not started: nothing yet
        b.session.start();
        timers.advance(ms(50));

        assertThat(a.changes).extracting(StateChange::to).containsExactly(SessionState.INIT, SessionState.UP);
        // b's Down made a Init; a's Init takes b from Down straight to Up (§6.8.6), and b's Up brings a Up.
        assertThat(b.changes).extracting(StateChange::to).containsExactly(SessionState.UP);
        assertThat(a.session.remoteDiscriminator()).isEqualTo(2);
        assertThat(b.session.remoteDiscriminator()).isEqualTo(1);
        assertThat(a.changes.getLast().diagnostic()).isEqualTo(Diagnostic.NONE);
    }

    @Test
    void sendsOncePerSecondAt75To100PercentWhileNotUpAndAdvertisesOneSecond() {
        pair(ms(100), ms(100), 3, ms(100), ms(100), 3);
        a.session.start(); // no peer answers
        timers.advance(Duration.ofSeconds(30));

        assertThat(a.sent).hasSizeBetween(30, 41).allSatisfy(p -> {
            assertThat(p.state()).isEqualTo(SessionState.DOWN);
            assertThat(p.desiredMinTxMicros()).isEqualTo(1_000_000);
            assertThat(p.requiredMinRxMicros()).isEqualTo(100_000);
            assertThat(p.yourDiscriminator()).isZero();
        });
        assertThat(gapsMillis(a)).allSatisfy(gap -> assertThat(gap).isBetween(750.0, 1000.0));
    }

    @Test
    void comingUpStartsAPollThatThePeerFinalsAndThenSendsAtTheNegotiatedInterval() {
        pair(ms(100), ms(100), 3, ms(100), ms(300), 3);
        bothUp();

        // Each side polled its change from 1 s to 100 ms, and the other's Final ended it.
        assertThat(a.sent).anyMatch(p -> p.poll() && p.state() == SessionState.UP && p.desiredMinTxMicros() == 100_000);
        assertThat(b.sent).anyMatch(ControlPacket::fin);
        assertThat(a.session.polling()).isFalse();
        assertThat(b.session.polling()).isFalse();
        // tx = max(own desired tx, remote required rx)
        assertThat(a.session.txIntervalMicros()).isEqualTo(300_000);
        assertThat(b.session.txIntervalMicros()).isEqualTo(100_000);
        // detection = remote mult x max(own required rx, remote desired tx)
        assertThat(a.session.detectionTimeMicros()).isEqualTo(300_000);
        assertThat(b.session.detectionTimeMicros()).isEqualTo(900_000);

        a.sent.clear();
        a.sentAt.clear();
        timers.advance(Duration.ofSeconds(6));
        assertThat(gapsMillis(a)).hasSizeGreaterThan(15).allSatisfy(gap -> assertThat(gap).isBetween(225.0, 300.0));
    }

    @Test
    void aFinalAnswersAPollAtOnceWithoutPoll() {
        pair(ms(100), ms(100), 3, ms(100), ms(100), 3);
        bothUp();
        int before = a.sent.size();
        a.session.receive(new ControlPacket(0, SessionState.UP, true, false, false, false, 3, 2, 1, 100_000, 100_000, 0));

        assertThat(a.sent).hasSize(before + 1);
        assertThat(a.last().fin()).isTrue();
        assertThat(a.last().poll()).isFalse();
    }

    @Test
    void aSlowerTxIntervalWaitsForTheFinalAndAShorterRxKeepsTheDetectionTimeUntilThen() {
        pair(ms(100), ms(100), 3, ms(100), ms(100), 3);
        bothUp();
        b.linkUp = false; // b's Final will not arrive
        a.session.changeIntervals(500_000, 50_000);

        assertThat(a.last().poll()).isTrue();
        assertThat(a.last().desiredMinTxMicros()).isEqualTo(500_000);
        assertThat(a.session.txIntervalMicros()).isEqualTo(100_000);
        assertThat(a.session.detectionTimeMicros()).isEqualTo(300_000);
        timers.advance(ms(150));
        assertThat(a.last().poll()).as("every packet polls until the Final").isTrue();

        b.linkUp = true;
        timers.advance(ms(300));
        assertThat(a.session.polling()).isFalse();
        assertThat(a.session.txIntervalMicros()).isEqualTo(500_000);
        assertThat(a.session.detectionTimeMicros()).isEqualTo(300_000); // 3 x max(50 ms, b's 100 ms)
    }

    @Test
    void silenceForTheDetectionTimeTakesItDownWithDiagnostic1AndForgetsTheRemoteDiscriminator() {
        pair(ms(100), ms(100), 3, ms(100), ms(100), 3);
        bothUp();
        b.linkUp = false;
        long lastDelivered = b.sentAt.getLast() + LINK_DELAY.toNanos();
        timers.advance(Duration.ofSeconds(1));

        StateChange down = a.changes.getLast();
        assertThat(down.to()).isEqualTo(SessionState.DOWN);
        assertThat(down.diagnostic()).isEqualTo(Diagnostic.CONTROL_DETECTION_TIME_EXPIRED);
        // Packets b sent after the cut were lost; its last delivered one was at most a tx interval before the cut.
        assertThat(down.atNanos() - lastDelivered).isBetween(ms(300).toNanos(), ms(300).toNanos());
        assertThat(a.session.remoteDiscriminator()).isZero();
        assertThat(a.last().state()).isEqualTo(SessionState.DOWN);
        assertThat(a.last().desiredMinTxMicros()).isEqualTo(1_000_000);
    }

    @Test
    void theLastPacketBeforeSilenceStartsTheDetectionTime() {
        pair(ms(100), ms(100), 3, ms(100), ms(100), 3);
        bothUp();
        timers.advance(ms(37)); // some phase of b's schedule
        long cut = timers.nanoTime();
        b.linkUp = false;
        timers.advance(Duration.ofSeconds(1));

        long detectedAfterCut = a.changes.getLast().atNanos() - cut;
        assertThat(detectedAfterCut).isBetween(ms(200).toNanos(), ms(300).toNanos());
    }

    @Test
    void adminDownTellsThePeerWhichGoesDownWithDiagnostic3AndBothComeBackOnEnable() {
        pair(ms(100), ms(100), 3, ms(100), ms(100), 3);
        bothUp();
        a.session.adminDown();
        timers.advance(ms(10));

        assertThat(a.last().state()).isEqualTo(SessionState.ADMIN_DOWN);
        assertThat(a.last().diag()).isEqualTo(Diagnostic.ADMINISTRATIVELY_DOWN.code());
        assertThat(b.session.state()).isEqualTo(SessionState.DOWN);
        assertThat(b.session.diagnostic()).isEqualTo(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN);

        timers.advance(Duration.ofSeconds(5));
        assertThat(b.session.state()).as("AdminDown packets keep it Down").isEqualTo(SessionState.DOWN);
        assertThat(a.session.state()).as("received packets are discarded").isEqualTo(SessionState.ADMIN_DOWN);
        assertThat(a.drops).isNotEmpty().containsOnly(Drop.ADMIN_DOWN);

        a.session.enable();
        timers.advance(Duration.ofSeconds(3));
        assertThat(a.session.state()).isEqualTo(SessionState.UP);
        assertThat(b.session.state()).isEqualTo(SessionState.UP);
    }

    @Test
    void aPeerThatSaysDownTakesAnUpSessionDownAndUpFromDownIsIgnored() {
        pair(ms(100), ms(100), 3, ms(100), ms(100), 3);
        bothUp();
        a.session.receive(new ControlPacket(1, SessionState.DOWN, false, false, false, false, 3, 2, 0, 1_000_000,
                100_000, 0));
        assertThat(a.session.state()).isEqualTo(SessionState.DOWN);
        assertThat(a.session.diagnostic()).isEqualTo(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN);

        End lone = new End(7, ms(100), ms(100), 3);
        lone.session.receive(new ControlPacket(0, SessionState.UP, false, false, false, false, 3, 2, 7, 100_000,
                100_000, 0));
        assertThat(lone.session.state()).isEqualTo(SessionState.DOWN);
    }

    @Test
    void jitterStaysWithin75And90PercentWhenTheMultiplierIs1() {
        pair(ms(100), ms(100), 1, ms(100), ms(100), 3);
        bothUp();
        a.sent.clear();
        a.sentAt.clear();
        timers.advance(Duration.ofSeconds(20));

        List<Double> gaps = gapsMillis(a);
        assertThat(gaps).hasSizeGreaterThan(200).allSatisfy(gap -> assertThat(gap).isBetween(75.0, 90.0));
        assertThat(gaps.stream().mapToDouble(Double::doubleValue).max().orElseThrow()).isGreaterThan(88.0);
        assertThat(gaps.stream().mapToDouble(Double::doubleValue).min().orElseThrow()).isLessThan(77.0);
    }

    @Test
    void sendsNothingPeriodicWhileTheRemoteRunsDemandModeWithBothUp() {
        pair(ms(100), ms(100), 3, ms(100), ms(100), 3);
        bothUp();
        b.linkUp = false;
        a.session.receive(new ControlPacket(0, SessionState.UP, false, false, false, true, 3, 2, 1, 100_000, 100_000, 0));
        int before = a.sent.size();
        timers.advance(ms(250)); // less than the detection time
        assertThat(a.sent).hasSize(before);
    }

    @Test
    void aRemoteRequiredRxOfZeroStopsPeriodicPackets() {
        pair(ms(100), ms(100), 3, ms(100), ms(100), 3);
        a.session.start();
        a.session.receive(new ControlPacket(0, SessionState.DOWN, false, false, false, false, 3, 2, 0, 1_000_000, 0, 0));
        int before = a.sent.size(); // the Init it sent on the change
        timers.advance(ms(2900)); // less than the detection time (3 x 1 s), whose expiry would send a Down
        assertThat(a.sent).hasSize(before);
    }

    private static List<Double> gapsMillis(End end) {
        List<Double> gaps = new ArrayList<>();
        for (int i = 1; i < end.sentAt.size(); i++) {
            if (!end.sent.get(i).fin()) {
                gaps.add((end.sentAt.get(i) - end.sentAt.get(i - 1)) / 1e6);
            }
        }
        return gaps;
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    private static InetAddress address(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, (byte) last});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
