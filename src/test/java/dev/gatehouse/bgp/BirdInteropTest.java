package dev.gatehouse.bgp;

import dev.gatehouse.Tools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.FreePorts;
import dev.gatehouse.time.Ticker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The speaker against a real BIRD 2: session, announce with attributes, graceful and plain withdrawal, Cease. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BirdInteropTest {

    private static final String BIRD = "127.0.0.2";
    private static final Duration SOON = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private BirdPeer bird;
    private BgpSpeaker speaker;

    @BeforeEach
    void up() throws Exception {
        Tools.require("bird", "bird2");
        int port = FreePorts.on(BIRD);
        bird = BirdPeer.start(dir, BIRD, port, 65000, "127.0.0.1", 65001, 9, "");
        PeerSettings peer = new PeerSettings(65001, (Inet4Address) InetAddress.getByName("192.0.2.1"),
                InetAddress.getByName(BIRD), port, 65000, 9, null);
        speaker = BgpSpeaker.start(List.of(peer), new BackOff(Duration.ofMillis(200), Duration.ofSeconds(1),
                Duration.ofSeconds(30)), Ticker.system(), new SimpleMeterRegistry());
    }

    @AfterEach
    void down() throws Exception {
        if (speaker != null) {
            speaker.close("test over");
        }
        if (bird != null) {
            System.out.println("bird log:\n" + bird.log());
            bird.close();
        }
    }

    @Test
    void aHostRouteAppearsWithItsAttributesAndGoesAwayOnWithdrawal() throws Exception {
        await().atMost(SOON).until(() -> speaker.status().getFirst().state() == SessionState.ESTABLISHED);
        await().atMost(SOON).until(() -> bird.sessionState().equals("Established"));
        assertThat(speaker.status().getFirst().holdTime()).isEqualTo(9);

        InetAddress vip = InetAddress.getByName("192.0.2.10");
        speaker.announce(new Route(vip, List.of(Community.parse("65001:100"))));
        assertThat(awaitRoute(bird, "192.0.2.10", "/32")).contains("BGP.origin: IGP", "BGP.as_path: 65001", "BGP.next_hop: 127.0.0.1",
                "BGP.community: (65001,100)");

        speaker.withdrawGracefully(vip, Duration.ofSeconds(2));
        await().atMost(SOON).until(() -> bird.route("192.0.2.10").contains("(65535,0)"));
        await().atMost(SOON).until(() -> !bird.route("192.0.2.10").contains("192.0.2.10/32"));
        assertThat(bird.sessionState()).isEqualTo("Established");
    }

    /** An IPv6 VIP goes over an IPv6 session: BIRD refuses an IPv4-mapped next hop for IPv6 (no extended next hop). */
    @Test
    void anIpv6HostRouteGoesInMpReachAndAwayInMpUnreach(@TempDir Path dir6) throws Exception {
        int port = FreePorts.on("::1");
        try (BirdPeer bird6 = BirdPeer.start(dir6, "::1", port, 65000, "::1", 65001, 9, "");
                BgpSpeaker speaker6 = BgpSpeaker.start(List.of(new PeerSettings(65001,
                        (Inet4Address) InetAddress.getByName("192.0.2.1"), InetAddress.getByName("::1"), port, 65000, 9,
                        null)), BackOff.DEFAULT, Ticker.system(), new SimpleMeterRegistry())) {
            await().atMost(SOON).until(() -> bird6.sessionState().equals("Established"));
            InetAddress vip6 = InetAddress.getByName("2001:db8::10");
            speaker6.announce(new Route(vip6, List.of(Community.parse("65001:200"))));
            assertThat(awaitRoute(bird6, "2001:db8::10", "/128")).contains("BGP.origin: IGP", "BGP.as_path: 65001", "BGP.next_hop: ::1",
                    "BGP.community: (65001,200)");
            speaker6.withdraw(vip6);
            await().atMost(SOON).until(() -> !bird6.route("2001:db8::10").contains("2001:db8::10/128"));
            assertThat(bird6.sessionState()).isEqualTo("Established");
        }
    }

    /** TCP-MD5 (RFC 2385): BIRD keys its socket, the kernel drops unsigned segments: a session up shows we sign. */
    @Test
    void aSessionWithATcpMd5KeyComesUp(@TempDir Path dirMd5) throws Exception {
        int port = FreePorts.on("127.0.0.4");
        try (BirdPeer birdMd5 = BirdPeer.start(dirMd5, "127.0.0.4", port, 65000, "127.0.0.1", 65001, 9,
                "password \"s3cret-key\";");
                BgpSpeaker signed = BgpSpeaker.start(List.of(new PeerSettings(65001,
                        (Inet4Address) InetAddress.getByName("192.0.2.1"), InetAddress.getByName("127.0.0.4"), port,
                        65000, 9, "s3cret-key".getBytes(java.nio.charset.StandardCharsets.UTF_8))), BackOff.DEFAULT,
                        Ticker.system(), new SimpleMeterRegistry())) {
            await().atMost(SOON).until(() -> birdMd5.sessionState().equals("Established"));
            signed.announce(new Route(InetAddress.getByName("192.0.2.12"), List.of()));
            assertThat(awaitRoute(birdMd5, "192.0.2.12", "/32")).contains("BGP.as_path: 65001");
        }
    }

    /** BIRD's view of the host route once it has it, with every attribute. */
    private static String awaitRoute(BirdPeer peer, String address, String length) {
        await().atMost(SOON).until(() -> peer.route(address).contains(address + length));
        String route = peer.route(address);
        System.out.println("bird: " + route);
        return route;
    }

    @Test
    void closingTellsThePeerWhyAndItsRoutesGo() throws Exception {
        await().atMost(SOON).until(() -> bird.sessionState().equals("Established"));
        speaker.announce(new Route(InetAddress.getByName("192.0.2.11"), List.of()));
        await().atMost(SOON).until(() -> bird.route("192.0.2.11").contains("192.0.2.11/32"));

        speaker.close("maintenance of lb1");
        speaker = null;
        await().atMost(SOON).until(() -> !bird.route("192.0.2.11").contains("192.0.2.11/32"));
        await().atMost(SOON).until(() -> bird.log().contains("maintenance of lb1"));
        System.out.println("bird: " + bird.protocolDetail());
        assertThat(bird.log()).contains("Administrative shutdown");
    }
}
