package dev.gatehouse.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.Tools;
import dev.gatehouse.lab.LabProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * The speaker against a real FRR bgpd, a third implementation beside BIRD and GoBGP: session with a 4-octet local AS,
 * announce with communities, graceful withdrawal (FRR names 65535:0 graceful-shutdown), and a speaker killed with
 * SIGKILL, whose route FRR drops at once (no Graceful Restart). Like GoBGP's test, both run in a namespace of the
 * test's own, the speaker as a child JVM ({@link SpeakerMain}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FrrInteropTest {

    private static final String SPEAKER = "192.0.2.1";
    private static final String FRR = "192.0.2.2";
    private static final Duration SOON = Duration.ofSeconds(30);
    /** Beyond RFC 6793's 2-octet range, so the OPEN carries AS_TRANS. */
    private static final long LOCAL_AS = 4_200_000_001L;

    @TempDir
    Path dir;
    private TestNamespace ns;
    private FrrPeer frr;
    private LabProcess speaker;

    /** Runs after @AfterEach, when both processes have stopped but their output is still here. */
    @RegisterExtension
    final TestWatcher printOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (speaker != null) {
                System.out.println("speaker:\n" + String.join("\n", speaker.lines()));
            }
            if (frr != null) {
                System.out.println("bgpd:\n" + frr.log());
            }
        }
    };

    @BeforeEach
    void up() throws Exception {
        Tools.require(FrrPeer.BGPD, "frr");
        Tools.require("vtysh", "frr");
        ns = TestNamespace.create(SPEAKER, FRR);
        frr = FrrPeer.start(ns.prefix(), dir, FRR, 179, 65000, SPEAKER, LOCAL_AS, 9);
        // bgpd answers on its vty once it has read its config; a passive neighbour then waits in Active
        await().atMost(SOON).until(() -> frr.state(SPEAKER).equals("Active"));
        speaker = new LabProcess("speaker", new ProcessBuilder(
                SpeakerMain.command(ns.prefix(), FRR, 179, 65000, LOCAL_AS, SPEAKER)).redirectErrorStream(true).start());
        speaker.awaitLine(line -> line.contains("established"), SOON);
        await().atMost(SOON).until(() -> frr.state(SPEAKER).equals("Established"));
    }

    @AfterEach
    void down() {
        try {
            if (speaker != null) {
                speaker.close();
            }
            if (frr != null) {
                frr.close();
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    @Test
    void aHostRouteWithCommunitiesAppearsAndIsWithdrawnGracefully() throws IOException {
        assertThat(frr.neighbor(SPEAKER).path("remoteAs").asLong()).isEqualTo(LOCAL_AS);
        assertThat(frr.neighbor(SPEAKER).path("bgpTimerHoldTimeMsecs").asInt()).isEqualTo(9000);

        speaker.send("announce 198.51.100.10 65001:100 no_export");
        await().atMost(SOON).until(() -> FrrPeer.has(frr.route("198.51.100.10/32"), "198.51.100.10/32"));
        JsonNode route = frr.route("198.51.100.10/32");
        System.out.println("frr: " + route);
        JsonNode path = route.path("paths").path(0);
        assertThat(route.path("paths").size()).isEqualTo(1);
        assertThat(path.path("valid").asBoolean()).isTrue();
        assertThat(path.path("aspath").path("string").asText()).isEqualTo(Long.toString(LOCAL_AS));
        assertThat(path.path("nexthops").path(0).path("ip").asText()).isEqualTo(SPEAKER);
        assertThat(path.path("origin").asText()).isEqualTo("IGP");
        assertThat(communities(path)).containsExactly("65001:100", "noExport");

        speaker.send("drain 198.51.100.10 2000");
        await().atMost(SOON).until(() -> communities(frr.route("198.51.100.10/32").path("paths").path(0))
                .contains("gracefulShutdown"));
        JsonNode draining = frr.route("198.51.100.10/32");
        System.out.println("frr, draining: " + draining);
        assertThat(draining.path("paths").path(0).path("community").path("string").asText())
                .contains("graceful-shutdown", "65001:100");
        // RFC 8326 4.2, as FRR applies it on receipt: the draining path's LOCAL_PREF drops to 0
        assertThat(draining.path("paths").path(0).path("locPrf").asInt(-1)).isZero();
        await().atMost(SOON).until(() -> !FrrPeer.has(frr.route("198.51.100.10/32"), "198.51.100.10/32"));
        assertThat(frr.state(SPEAKER)).isEqualTo("Established");
    }

    @Test
    void aKilledSpeakersRouteIsGoneAtOnce() throws IOException {
        speaker.send("announce 198.51.100.20");
        await().atMost(SOON).until(() -> FrrPeer.has(frr.route("198.51.100.20/32"), "198.51.100.20/32"));

        long killed = System.nanoTime();
        speaker.kill9(); // ip netns exec became the JVM
        await().atMost(SOON).pollInterval(Duration.ofMillis(10))
                .until(() -> !FrrPeer.has(frr.route("198.51.100.20/32"), "198.51.100.20/32"));
        long millis = (System.nanoTime() - killed) / 1_000_000;
        System.out.println("frr: route of a SIGKILLed speaker gone after " + millis + " ms (hold time 9 s), neighbour "
                + frr.state(SPEAKER));
        // the kernel closes the socket at once; the bound is the RIB polling through vtysh, far below the hold time
        assertThat(millis).isLessThan(1000);
        assertThat(frr.state(SPEAKER)).isNotEqualTo("Established");
    }

    /** The community names FRR lists for a path (e.g. 65001:100, noExport, gracefulShutdown). */
    private static List<String> communities(JsonNode path) {
        List<String> names = new ArrayList<>();
        path.path("community").path("list").forEach(name -> names.add(name.asText()));
        return names;
    }
}
