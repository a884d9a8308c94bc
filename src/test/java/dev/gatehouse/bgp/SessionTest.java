package dev.gatehouse.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.bfd.Diagnostic;
import dev.gatehouse.bfd.StateChange;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The session FSM on a stepped clock, with a link that records what the session asks of it. */
class SessionTest {

    private static final BackOff BACK_OFF = new BackOff(Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(30));

    private long now = 1_000_000_000L;
    private final FakeLink link = new FakeLink();
    private final List<Route> routes = new ArrayList<>();
    private final List<String> malformed = new ArrayList<>();
    private final List<String> bfdDowns = new ArrayList<>();
    private Session session;
    private Inet4Address peerId;

    @BeforeEach
    void setUp() throws Exception {
        peerId = (Inet4Address) InetAddress.getByName("192.0.2.2");
        session = sessionWith(null);
    }

    private Session sessionWith(BfdTimers bfd) throws Exception {
        PeerSettings peer = new PeerSettings(65001, (Inet4Address) InetAddress.getByName("192.0.2.1"),
                InetAddress.getByName("192.0.2.2"), 179, 65000, 9, null, null, bfd);
        return new Session(peer, BACK_OFF, () -> now, link, () -> routes, new SessionListener() {
            @Override
            public void stateChanged(PeerSettings p, SessionState from, SessionState to) {
            }

            @Override
            public void malformed(PeerSettings p, Notification sent) {
                malformed.add(sent.code() + "/" + sent.subcode());
            }

            @Override
            public void bfdDown(PeerSettings p, String why) {
                bfdDowns.add(why);
            }
        });
    }

    private Open peerOpen(long as, int holdTime) {
        return new Open(4, as > 0xFFFF ? Open.AS_TRANS : (int) as, holdTime, peerId, as,
                EnumSet.allOf(AddressFamily.class), true);
    }

    private void step(Duration d) {
        long end = now + d.toNanos();
        while (now < end) { // tick as the speaker does, every 20 ms
            now = Math.min(end, now + BgpSpeaker.TICK.toNanos());
            session.tick();
        }
    }

    private void establish(int peerHold) {
        session.start();
        session.connected();
        session.received(peerOpen(65000, peerHold));
        session.received(Keepalive.INSTANCE);
    }

    @Test
    void aSessionComesUpThroughEveryStateAndSendsWhatIsAnnounced() throws Exception {
        routes.add(new Route(InetAddress.getByName("198.51.100.10"), List.of()));
        session.start();
        assertThat(session.state()).isEqualTo(SessionState.CONNECT);
        assertThat(link.connects).isEqualTo(1);
        session.connected();
        assertThat(session.state()).isEqualTo(SessionState.OPEN_SENT);
        Open ours = (Open) link.sent.getFirst();
        assertThat(ours.holdTime()).isEqualTo(9);
        assertThat(ours.fourOctetAs()).isEqualTo(65001);
        session.received(peerOpen(65000, 90));
        assertThat(session.state()).isEqualTo(SessionState.OPEN_CONFIRM);
        assertThat(link.sent.getLast()).isEqualTo(Keepalive.INSTANCE);
        session.received(Keepalive.INSTANCE);
        assertThat(session.state()).isEqualTo(SessionState.ESTABLISHED);
        assertThat(link.sent.getLast()).isInstanceOf(RouteUpdate.class);
        assertThat(session.status().holdTime()).isEqualTo(9); // the smaller of both
    }

    @Test
    void keepalivesGoEveryThirdOfTheHoldTimeAndTheHoldTimerExpiresWithoutMessages() {
        establish(30);
        link.sent.clear();
        step(Duration.ofMillis(2990));
        assertThat(link.sent).isEmpty();
        step(Duration.ofMillis(20));
        assertThat(link.sent).containsExactly(Keepalive.INSTANCE);

        // the peer's keepalive at 8 s restarts the hold timer: still up at 9 s
        step(Duration.ofSeconds(5));
        session.received(Keepalive.INSTANCE);
        step(Duration.ofSeconds(8));
        assertThat(session.state()).isEqualTo(SessionState.ESTABLISHED);
        step(Duration.ofMillis(1020));
        assertThat(session.state()).isEqualTo(SessionState.IDLE);
        assertThat(link.sent.getLast()).isEqualTo(new Notification(4, 0));
        assertThat(link.closes).isEqualTo(1);
        assertThat(session.status().flaps()).isEqualTo(1);
        assertThat(session.status().lastError()).contains("hold timer expired");

        step(Duration.ofMillis(950)); // it expired at 17.01 s, between the last two ticks
        assertThat(link.connects).isEqualTo(1);
        step(Duration.ofMillis(60));
        assertThat(link.connects).isEqualTo(2); // reconnects after its back-off
    }

    private static StateChange bfd(dev.gatehouse.bfd.SessionState from, dev.gatehouse.bfd.SessionState to, Diagnostic diagnostic, dev.gatehouse.bfd.SessionState peer) {
        return new StateChange(from, to, diagnostic, 0, peer);
    }

    /** RFC 5882 as BIRD's {@code bfd on}: only Up to Down ends the session, with Cease "BFD Down" (RFC 9384). */
    @Test
    void bfdGoingDownAfterUpEndsTheSessionAtOnceWithCeaseBfdDown() throws Exception {
        session = sessionWith(new BfdTimers(Duration.ofMillis(100), 3));
        assertThat(session.status().bfd()).isEqualTo("down");
        establish(9); // BGP does not wait for BFD
        assertThat(session.state()).isEqualTo(SessionState.ESTABLISHED);
        session.bfdChanged(bfd(dev.gatehouse.bfd.SessionState.DOWN, dev.gatehouse.bfd.SessionState.INIT, Diagnostic.NONE, dev.gatehouse.bfd.SessionState.DOWN));
        session.bfdChanged(bfd(dev.gatehouse.bfd.SessionState.INIT, dev.gatehouse.bfd.SessionState.UP, Diagnostic.NONE, dev.gatehouse.bfd.SessionState.UP));
        assertThat(session.status().bfd()).isEqualTo("up");
        assertThat(session.state()).isEqualTo(SessionState.ESTABLISHED);

        // the peer taking BFD down on purpose is no failure
        session.bfdChanged(bfd(dev.gatehouse.bfd.SessionState.UP, dev.gatehouse.bfd.SessionState.DOWN, Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, dev.gatehouse.bfd.SessionState.ADMIN_DOWN));
        assertThat(session.state()).isEqualTo(SessionState.ESTABLISHED);
        session.bfdChanged(bfd(dev.gatehouse.bfd.SessionState.DOWN, dev.gatehouse.bfd.SessionState.UP, Diagnostic.NONE, dev.gatehouse.bfd.SessionState.INIT));

        session.bfdChanged(bfd(dev.gatehouse.bfd.SessionState.UP, dev.gatehouse.bfd.SessionState.DOWN, Diagnostic.CONTROL_DETECTION_TIME_EXPIRED, dev.gatehouse.bfd.SessionState.UP));
        assertThat(session.state()).isEqualTo(SessionState.IDLE);
        assertThat(link.sent.getLast()).isEqualTo(new Notification(Notification.CEASE, Notification.BFD_DOWN));
        assertThat(link.closes).isEqualTo(1);
        assertThat(session.status().lastError()).isEqualTo("BFD down (control detection time expired)");
        assertThat(session.status().bfd()).isEqualTo("down");
        assertThat(session.status().flaps()).isEqualTo(1);
        assertThat(bfdDowns).containsExactly("BFD down (control detection time expired)");
        assertThat(new Notification(6, 10).describe()).isEqualTo("6/10 cease: BFD down");

        step(BACK_OFF.after(1).plusMillis(20)); // then the normal connect-retry
        assertThat(link.connects).isEqualTo(2);
    }

    @Test
    void aHoldTimeOfZeroMeansNoKeepalivesAndNoExpiry() {
        establish(0);
        link.sent.clear();
        step(Duration.ofMinutes(10));
        assertThat(session.state()).isEqualTo(SessionState.ESTABLISHED);
        assertThat(link.sent).isEmpty();
        assertThat(session.status().holdTime()).isZero();
    }

    @Test
    void anOpenWithAHoldTimeOfOneSecondIsRefused() {
        session.start();
        session.connected();
        session.received(peerOpen(65000, 1));
        assertThat(link.sent.getLast()).isEqualTo(new Notification(2, 6));
        assertThat(session.state()).isEqualTo(SessionState.IDLE);
        assertThat(malformed).containsExactly("2/6");
    }

    @Test
    void anOpenFromAnotherAsIsRefused() {
        session.start();
        session.connected();
        session.received(peerOpen(65099, 9));
        assertThat(link.sent.getLast()).isEqualTo(new Notification(2, 2));
        // the 2-octet field must say AS_TRANS when the real AS needs four octets
        session.start();
        step(Duration.ofSeconds(2));
        session.connected();
        session.received(new Open(4, 1234, 9, peerId, 4_200_000_000L, EnumSet.allOf(AddressFamily.class), true));
        assertThat(link.sent.getLast()).isEqualTo(new Notification(2, 2));
    }

    @Test
    void anOpenWithoutTheFourOctetAsCapabilityIsRefusedNamingIt() {
        session.start();
        session.connected();
        session.received(new Open(4, 65000, 9, peerId, -1, EnumSet.noneOf(AddressFamily.class), false));
        assertThat(link.sent.getLast()).isEqualTo(new Notification(2, 7, Frames.of(65, 4, 0, 0, 0xFD, 0xE9)));
    }

    @Test
    void anUnexpectedMessageIsAnFsmErrorNamingTheState() {
        session.start();
        session.connected();
        session.received(Keepalive.INSTANCE);
        assertThat(link.sent.getLast()).isEqualTo(new Notification(5, 1));
        step(Duration.ofSeconds(3));
        session.connected();
        session.received(peerOpen(65000, 9));
        session.received(Keepalive.INSTANCE);
        session.received(peerOpen(65000, 9));
        assertThat(link.sent.getLast()).isEqualTo(new Notification(5, 3));
    }

    @Test
    void failedAttemptsBackOffDoublingUpToTheMaximumAndAStableSessionResetsIt() {
        session.start();
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long failedAt = now;
            int connects = link.connects;
            session.connectFailed("refused");
            assertThat(session.state()).isEqualTo(SessionState.ACTIVE);
            for (int t = 0; t < 1000 && link.connects == connects; t++) {
                step(BgpSpeaker.TICK);
            }
            waits.add((now - failedAt) / 1_000_000_000L);
        }
        assertThat(waits).containsExactly(1L, 2L, 4L, 8L, 8L, 8L);

        session.connected();
        session.received(peerOpen(65000, 0)); // no hold timer: up until closed
        session.received(Keepalive.INSTANCE);
        step(Duration.ofSeconds(31));
        session.closed("reset by peer");
        int connects = link.connects;
        step(Duration.ofMillis(1000));
        assertThat(link.connects).isEqualTo(connects + 1);
    }

    @Test
    void stoppingSendsTheCeaseAndNeverReconnects() {
        establish(9);
        session.stop(Notification.shutdown("maintenance"));
        assertThat(((Notification) link.sent.getLast()).communication()).isEqualTo("maintenance");
        assertThat(session.state()).isEqualTo(SessionState.IDLE);
        step(Duration.ofMinutes(2));
        assertThat(link.connects).isEqualTo(1);
    }

    @Test
    void aNotificationFromThePeerEndsTheSessionAndItReconnects() {
        establish(9);
        session.received(new Notification(6, 4));
        assertThat(session.state()).isEqualTo(SessionState.IDLE);
        assertThat(session.status().lastError()).contains("peer sent 6/4 cease: administrative reset");
        step(Duration.ofMillis(1020));
        assertThat(link.connects).isEqualTo(2);
    }

    @Test
    void routesChangedWhileUpAreSentAndOnlyInFamiliesThePeerTakes() throws Exception {
        session.start();
        session.connected();
        session.received(new Open(4, 65000, 9, peerId, 65000, EnumSet.of(AddressFamily.IPV4_UNICAST), true));
        session.received(Keepalive.INSTANCE);
        link.sent.clear();
        session.send(new Route(InetAddress.getByName("2001:db8::1"), List.of()), false);
        assertThat(link.sent).isEmpty();
        Route v4 = new Route(InetAddress.getByName("198.51.100.1"), List.of());
        session.send(v4, true);
        assertThat(link.sent).containsExactly(new RouteUpdate(v4, true,
                new PathAttributes(65001, false, link.localAddress(), MessageWriter.ipv6(link.localAddress()))));
    }

    private static final class FakeLink implements Link {
        final List<BgpMessage> sent = new ArrayList<>();
        int connects;
        int closes;

        @Override
        public void connect() {
            connects++;
        }

        @Override
        public void send(BgpMessage message) {
            sent.add(message);
        }

        @Override
        public void close() {
            closes++;
        }

        @Override
        public InetAddress localAddress() {
            try {
                return InetAddress.getByName("192.0.2.1");
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
    }
}
