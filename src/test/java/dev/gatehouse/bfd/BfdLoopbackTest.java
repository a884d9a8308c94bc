package dev.gatehouse.bfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two sessions over real UDP sockets on 127.0.0.0/8: each end its own address, both on port 3784. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BfdLoopbackTest {

    private static final InetAddress A = address("127.0.88.1");
    private static final InetAddress B = address("127.0.88.2");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Bfd bfd = Bfd.start(registry);
    private final List<StateChange> changesA = new CopyOnWriteArrayList<>();
    private final List<StateChange> changesB = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        bfd.close();
    }

    private BfdSession open(InetAddress local, InetAddress peer, List<StateChange> changes) {
        return bfd.open(SessionParameters.builder().local(local).peer(peer).interval(Duration.ofMillis(50))
                .detectMultiplier(3).build(), (session, change) -> changes.add(change));
    }

    /** A session from A to B and one back, both started and Up. */
    private BfdSession[] pairUp() {
        BfdSession a = open(A, B, changesA);
        BfdSession b = open(B, A, changesB);
        a.start();
        b.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.state() == SessionState.UP && b.state() == SessionState.UP);
        return new BfdSession[] {a, b};
    }

    @Test
    void comesUpGoesAdminDownAndReportsTheClosedPeerAsDown() {
        BfdSession[] sessions = pairUp();
        BfdSession a = sessions[0];
        BfdSession b = sessions[1];
        assertThat(a.localDiscriminator()).isNotZero().isNotEqualTo(b.localDiscriminator());

        b.adminDown();
        await().atMost(Duration.ofSeconds(2)).until(() -> a.state() == SessionState.DOWN);
        assertThat(a.diagnostic()).isEqualTo(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN);
        b.enable();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.state() == SessionState.UP);

        b.close();
        await().atMost(Duration.ofSeconds(2)).until(() -> a.state() == SessionState.DOWN);
        assertThat(a.diagnostic()).isEqualTo(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN);
        assertThat(changesB).extracting(StateChange::to).endsWith(SessionState.UP, SessionState.ADMIN_DOWN);
        assertThat(registry.get("gatehouse.bfd.state.changes").tag("to", "up").counter().count()).isEqualTo(4);
    }

    @Test
    void aPeerThatFallsSilentIsDownOneDetectionTimeAfterItsLastPacket() {
        BfdSession a = open(A, B, changesA);
        try (ScriptedPeer peer = new ScriptedPeer(B, A)) {
            a.start();
            ControlPacket first = peer.receive();
            assertThat(first.state()).isEqualTo(SessionState.DOWN);
            // the handshake at 1 s, as a peer not yet Up must (RFC 5880 6.8.3), so a slow test thread cannot time it out
            peer.send(SessionState.DOWN, 0, 1_000_000);
            assertThat(peer.receiveUntil(p -> p.state() == SessionState.INIT).yourDiscriminator())
                    .isEqualTo(ScriptedPeer.DISCRIMINATOR);
            peer.send(SessionState.UP, a.localDiscriminator(), 1_000_000);
            await().atMost(Duration.ofSeconds(2)).until(() -> a.state() == SessionState.UP);
            long lastSent = peer.send(SessionState.UP, a.localDiscriminator(), 50_000);
            await().atMost(Duration.ofSeconds(2)).until(() -> a.state() == SessionState.DOWN);

            StateChange down = changesA.getLast();
            assertThat(down.diagnostic()).isEqualTo(Diagnostic.CONTROL_DETECTION_TIME_EXPIRED);
            // 3 x max(50 ms required, 50 ms the peer's desired tx) after the last packet, plus scheduling
            assertThat(Duration.ofNanos(down.atNanos() - lastSent)).isBetween(Duration.ofMillis(150),
                    Duration.ofMillis(400));
        }
    }

    @Test
    void dropsAndCountsMalformedAndUnknownPacketsWithoutDisturbingTheSession() {
        BfdSession a = pairUp()[0];

        String good = "20c00318" + "0badf00d" + "%08x".formatted(a.localDiscriminator()) + "000186a0000186a000000000";
        // from another address, so that no session of this Bfd is disturbed by the hostile one's own port 3784
        try (ScriptedPeer hostile = new ScriptedPeer(address("127.0.88.3"), A)) {
            for (String hex : List.of(
                    "40" + good.substring(2), // version 2
                    good.substring(0, 20), // truncated
                    good.substring(0, 4) + "00" + good.substring(6), // detect mult 0
                    good.substring(0, 16) + "12345678" + good.substring(24), // nobody's discriminator
                    "ff")) {
                hostile.sendRaw(HexFormat.of().parseHex(hex));
            }
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(dropped("bad_version")).isEqualTo(1);
            assertThat(dropped("bad_length")).isEqualTo(2);
            assertThat(dropped("zero_detect_mult")).isEqualTo(1);
            assertThat(dropped("unknown_discriminator")).isEqualTo(1);
        });
        assertThat(a.state()).isEqualTo(SessionState.UP);
        assertThat(changesA).extracting(StateChange::to).doesNotContain(SessionState.DOWN);
    }

    @Test
    void refusesASecondSessionForTheSameAddressesAndFreesPortsOnClose() {
        BfdSession a = open(A, B, changesA);
        assertThatThrownBy(() -> open(A, B, changesA)).hasMessageContaining("bfd peer 127.0.88.2 from 127.0.88.1");
        a.close();
        open(A, B, changesA).close(); // the address pair and port 3784 are free again
    }

    @Test
    void parametersNameTheValueTheyRefuse() {
        SessionParameters.Builder ok = SessionParameters.builder().local(A).peer(B);
        assertThatThrownBy(() -> ok.interval(Duration.ofMillis(5)).build())
                .hasMessage("bfd desired_min_tx 5ms: must be 10ms to 60s");
        assertThatThrownBy(() -> ok.interval(Duration.ofMillis(100)).detectMultiplier(0).build())
                .hasMessage("bfd multiplier 0: must be 1 to 255");
        assertThatThrownBy(() -> ok.detectMultiplier(3).peer(A).build())
                .hasMessage("bfd peer 127.0.88.1: the same as the local address");
        assertThatThrownBy(() -> ok.peer(address("::1")).build()).hasMessageContaining("not of the same family");
        assertThat(ok.peer(B).interval(Duration.ofMillis(100)).build().detectionTime()).isEqualTo(Duration.ofMillis(300));
    }

    private double dropped(String reason) {
        return registry.get("gatehouse.bfd.packets.dropped").tag("reason", reason).counter().count();
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
