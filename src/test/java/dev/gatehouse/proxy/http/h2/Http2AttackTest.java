package dev.gatehouse.proxy.http.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.gatehouse.node.TestNode;
import dev.gatehouse.tls.Commands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The known HTTP/2 attacks, driven by a real client library (Debian's python3-h2, {@code h2_client.py}): each ends with
 * the stream refused or the connection closed, and the node serving other clients (curl) right after.
 */
@Timeout(180)
class Http2AttackTest {

    /** Rapid reset: the streams the client opens before the connection ends (200 resets per 30 s are allowed). */
    private static final int MAX_RESETS_SEEN = H2Connection.MAX_RESETS + 1;

    @TempDir
    Path dir;
    private H2Site site;

    /** A node whose listener closes an HTTP/2 connection idle (or stalled) for {@code idle}. */
    private void start(String idle) throws Exception {
        site = H2Site.start(dir, idle);
        H2Client.install(dir);
    }

    @AfterEach
    void stop() {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void malformedRequestsAreResetAndNeverForwarded() throws Exception {
        start("30s");
        Map<String, String> r = hostile("malformed");
        assertThat(r).containsExactly(entry("connection", "PROTOCOL_ERROR"), entry("x-smuggle", "PROTOCOL_ERROR"),
                entry("transfer-encoding", "PROTOCOL_ERROR"), entry("te", "PROTOCOL_ERROR"), entry("x-space", "PROTOCOL_ERROR"),
                entry("valid", "200"));
        assertThat(site.backend().requests()).as("only the valid request reached the backend").isEqualTo(1);
        assertThat(TestNode.metricSum(site.lb().node.metrics(), "gatehouse_listener_refused_requests_total", "reason=\"h2_malformed\""))
                .isEqualTo(5);
        stillServes();
    }

    @Test
    void rapidResetEndsTheConnection() throws Exception {
        start("30s");
        Map<String, String> r = hostile("rapid_reset");
        assertThat(r.get("goaway")).startsWith("ENHANCE_YOUR_CALM").contains("RST frames");
        assertThat(TestNode.metricSum(site.lb().node.metrics(), "gatehouse_listener_refused_requests_total",
                "reason=\"h2_enhance_your_calm\"")).isEqualTo(1);
        assertThat(site.backend().requests()).as("requests the backend saw").isLessThanOrEqualTo(MAX_RESETS_SEEN);
        stillServes();
    }

    @Test
    void aContinuationFloodEndsTheConnection() throws Exception {
        start("30s");
        Map<String, String> r = hostile("continuation");
        assertThat(r.get("closed")).isEqualTo("True");
        assertThat(Integer.parseInt(r.get("frames_sent"))).as("closed before the client sent all its frames").isLessThan(20_001);
        assertThat(site.backend().requests()).isZero();
        stillServes();
    }

    @Test
    void aPingFloodFromAClientThatDoesNotReadEndsTheConnection() throws Exception {
        start("30s");
        Map<String, String> r = hostile("ping_flood");
        assertThat(r.get("goaway")).startsWith("ENHANCE_YOUR_CALM").contains("control frames");
        stillServes();
    }

    @Test
    void aClientThatNeverOpensItsWindowIsClosed() throws Exception {
        start("1s");
        Map<String, String> r = hostile("zero_window");
        assertThat(r.get("status")).isEqualTo("200");
        assertThat(r.get("goaway")).startsWith("ENHANCE_YOUR_CALM").contains("window stalled");
        // closed at the second idle check (1 s apart) that finds it stalled: between 1 and 2 s after the first
        assertThat(Integer.parseInt(r.get("closed_after_ms"))).isBetween(1000, 3000);
        stillServes();
    }

    @Test
    void aClientThatReadsSlowlyButReadsIsServedToTheEnd() throws Exception {
        start("1s");
        Map<String, String> r = hostile("slow_reader");
        assertThat(r).containsEntry("status", "200").containsEntry("received", "300000").containsEntry("ended", "True")
                .containsEntry("goaway", "None");
        assertThat(Integer.parseInt(r.get("took_ms"))).as("longer than two idle checks").isGreaterThan(3000);
    }

    private Map<String, String> hostile(String mode) throws Exception {
        return H2Client.run(dir, site.port(), mode);
    }

    private void stillServes() throws Exception {
        Commands.Result r = Commands.run(dir, Duration.ofSeconds(30), "", "curl", "-sS", "--max-time", "10", "--http2",
                "--cacert", "ca.crt", "--resolve", "a.test:" + site.port() + ":127.0.0.1", "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
                "https://a.test:" + site.port() + "/echo");
        assertThat(r.output()).isEqualTo("200 2");
    }
}
