package dev.gatehouse.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.Tools;
import dev.gatehouse.lab.LabProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The speaker against a real GoBGP: session with a 4-octet local AS (AS_TRANS in the OPEN), announce with
 * communities, graceful withdrawal, and a speaker process killed with SIGKILL, whose route the peer drops at once
 * (no Graceful Restart). GoBGP refuses a loopback next hop, so both run in a namespace of the test's own, the
 * speaker as a child JVM ({@link SpeakerMain}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GobgpInteropTest {

    private static final String SPEAKER = "192.0.2.1";
    private static final String GOBGP = "192.0.2.2";
    private static final Duration SOON = Duration.ofSeconds(30);
    /** Beyond RFC 6793's 2-octet range, so the OPEN carries AS_TRANS. */
    private static final long LOCAL_AS = 4_200_000_001L;

    @TempDir
    Path dir;
    private TestNamespace ns;
    private GobgpPeer gobgp;
    private LabProcess speaker;

    @BeforeEach
    void up() throws Exception {
        Tools.require("gobgpd", "gobgpd");
        ns = TestNamespace.create(SPEAKER, GOBGP);
        gobgp = GobgpPeer.start(ns.prefix(), dir, GOBGP, 179, 50051, 65000, SPEAKER, LOCAL_AS, 9);
        speaker = new LabProcess("speaker", new ProcessBuilder(
                SpeakerMain.command(ns.prefix(), GOBGP, 179, 65000, LOCAL_AS, SPEAKER)).redirectErrorStream(true).start());
        speaker.awaitLine(line -> line.contains("established"), SOON);
        await().atMost(SOON).until(() -> gobgp.neighbors().contains("Establ"));
    }

    @AfterEach
    void down() throws Exception {
        if (speaker != null) {
            System.out.println("speaker:\n" + String.join("\n", speaker.lines()));
            speaker.close();
        }
        if (gobgp != null) {
            System.out.println("gobgpd:\n" + gobgp.log());
        }
        if (gobgp != null) {
            gobgp.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void aHostRouteWithCommunitiesAppearsAndIsWithdrawnGracefully() throws IOException {
        speaker.send("announce 198.51.100.10 65001:100 no_export");
        await().atMost(SOON).until(() -> gobgp.rib("ipv4").contains("198.51.100.10/32"));
        String rib = gobgp.rib("ipv4");
        System.out.println("gobgp: " + rib);
        assertThat(rib).contains("\"asns\":[4200000001]", "\"nexthop\":\"" + SPEAKER + "\"",
                "\"communities\":[" + (65001L << 16 | 100) + "," + 0xFFFFFF01L + "]");
        assertThat(rib).contains("\"type\":1,\"value\":0"); // ORIGIN IGP

        speaker.send("drain 198.51.100.10 2000");
        await().atMost(SOON).until(() -> gobgp.rib("ipv4").contains(Long.toString(0xFFFF0000L)));
        await().atMost(SOON).until(() -> !gobgp.rib("ipv4").contains("198.51.100.10/32"));
        assertThat(gobgp.neighbors()).contains("Establ");
    }

    @Test
    void aKilledSpeakersRouteIsGoneAtOnce() throws IOException {
        speaker.send("announce 198.51.100.20");
        await().atMost(SOON).until(() -> gobgp.rib("ipv4").contains("198.51.100.20/32"));

        long killed = System.nanoTime();
        speaker.kill9(); // ip netns exec became the JVM
        await().atMost(SOON).pollInterval(Duration.ofMillis(10))
                .until(() -> !gobgp.rib("ipv4").contains("198.51.100.20/32"));
        long millis = (System.nanoTime() - killed) / 1_000_000;
        System.out.println("gobgp: route of a SIGKILLed speaker gone after " + millis + " ms (hold time 9 s)");
        // the kernel closes the socket at once; the bound is the RIB polling through the CLI, far below the hold time
        assertThat(millis).isLessThan(3000);
    }
}
