package dev.gatehouse.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.FreePorts;
import dev.gatehouse.Tools;
import dev.gatehouse.bfd.BfdPeerMain;
import dev.gatehouse.lab.LabProcess;
import dev.gatehouse.time.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The speaker's BGP session to a real BIRD 2 on loopback, with the BFD session beside it: as BIRD refuses
 * single-hop BFD on loopback, the BFD peer is Gatehouse's own BFD endpoint in a JVM of its own ({@link BfdPeerMain})
 * on BIRD's address. Frozen (SIGSTOP), it goes silent: the speaker's BFD declares it down in 3 × 100 ms and the
 * BGP session ends at once with Cease 6/10 (BFD Down), which BIRD receives. Taken AdminDown on purpose, it does not
 * end the session. ({@code dev.gatehouse.bfd.BgpBfdLabTest} does it all against BIRD's own BFD in namespaces.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BfdSessionTeardownTest {

    private static final String OURS = "127.0.0.61";
    private static final String PEER = "127.0.0.62";
    private static final Duration SOON = Duration.ofSeconds(30);

    @Test
    void aSilentBfdPeerEndsTheSessionAtOnceAndAnAdminDownOneDoesNot(@TempDir Path dir) throws Exception {
        Tools.require("bird", "bird2");
        int port = FreePorts.on(PEER);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PeerSettings peer = new PeerSettings(65001, (Inet4Address) InetAddress.getByName("192.0.2.1"),
                InetAddress.getByName(PEER), port, 65000, 9, null, InetAddress.getByName(OURS),
                new BfdTimers(Duration.ofMillis(100), 3));
        try (BirdPeer bird = BirdPeer.start(dir, PEER, port, 65000, OURS, 65001, 9, "");
                LabProcess bfdPeer = new LabProcess("bfd-peer", new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"), "-XX:TieredStopAtLevel=1", "-Xmx64m",
                        "-cp", System.getProperty("java.class.path"), BfdPeerMain.class.getName(), PEER, OURS, "100", "3")
                        .redirectErrorStream(true).start());
                BgpSpeaker speaker = BgpSpeaker.start(List.of(peer), new BackOff(Duration.ofMillis(200),
                        Duration.ofSeconds(1), Duration.ofSeconds(30)), Ticker.system(), registry)) {
            await().atMost(SOON).until(() -> established(speaker) && "up".equals(speaker.status().getFirst().bfd()));

            bfdPeer.sigstop();
            long stopped = System.nanoTime();
            try {
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(2)).until(() -> !established(speaker));
            } finally {
                bfdPeer.sigcont();
            }
            long downMs = (System.nanoTime() - stopped) / 1_000_000;
            PeerStatus down = speaker.status().getFirst();
            System.out.println("bfd teardown: the BFD peer frozen, the BGP session ended after " + downMs + " ms: " + down);
            assertThat(down.lastError()).isEqualTo("BFD down (control detection time expired)");
            assertThat(downMs).isLessThan(400); // 3 × 100 ms from the peer's last packet, which came before the stop
            await().atMost(SOON).until(() -> bird.log().contains("Received: Unknown error 6.10")); // 2.0.12 has no name for it
            assertThat(teardowns(registry)).isEqualTo(1);

            // back up; then the peer takes BFD down on purpose (AdminDown): no failure, the session stays
            await().atMost(SOON).until(() -> established(speaker) && "up".equals(speaker.status().getFirst().bfd()));
            bfdPeer.send("close");
            await().atMost(SOON).until(() -> "down".equals(speaker.status().getFirst().bfd()));
            await().during(Duration.ofMillis(500)).atMost(SOON).until(() -> established(speaker));
            assertThat(teardowns(registry)).isEqualTo(1);
        }
    }

    private static boolean established(BgpSpeaker speaker) {
        return speaker.status().getFirst().state() == SessionState.ESTABLISHED;
    }

    private static double teardowns(SimpleMeterRegistry registry) {
        Counter counter = registry.find("gatehouse_bgp_bfd_teardowns").counter();
        return counter == null ? 0 : counter.count();
    }
}
