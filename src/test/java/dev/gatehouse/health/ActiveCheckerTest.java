package dev.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.config.EndpointConfig;
import dev.gatehouse.config.HealthConfig;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.proxy.ProxyProtocolV2;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ActiveCheckerTest {

    private static final Duration TIMEOUT = Duration.ofMillis(300);

    private static HealthConfig http(String path, String host) {
        return new HealthConfig(HealthConfig.Type.HTTP, path, 200, 399, host, Duration.ofSeconds(1), TIMEOUT, 2, 3);
    }

    private static HealthConfig tcp() {
        return new HealthConfig(HealthConfig.Type.TCP, null, 0, 0, null, Duration.ofSeconds(1), TIMEOUT, 2, 3);
    }

    private static ActiveChecker checker(HealthConfig config) {
        return ActiveChecker.of(config, false);
    }

    private static Endpoint local(int port) {
        return new Endpoint("web", 0, new EndpointConfig(new HostPort("127.0.0.1", port), 1, null));
    }

    /** A port that was free a moment ago and has nobody listening now. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void httpPassesOn200AndSendsPathHostAndConnectionClose() throws IOException {
        try (StubHttpBackend backend = new StubHttpBackend(200)) {
            Endpoint endpoint = local(backend.port());
            CheckResult result = checker(http("/healthz", null)).check(endpoint);
            assertThat(result.passed()).as(result.reason()).isTrue();
            assertThat(result.reason()).isEqualTo("HTTP 200");
            assertThat(backend.lastRequest())
                    .startsWith("GET /healthz HTTP/1.1\r\n")
                    .contains("\r\nHost: 127.0.0.1:" + backend.port() + "\r\n")
                    .contains("\r\nConnection: close\r\n");
        }
    }

    @Test
    void httpSendsTheConfiguredHost() throws IOException {
        try (StubHttpBackend backend = new StubHttpBackend(204)) {
            CheckResult result = checker(http("/", "app.example")).check(local(backend.port()));
            assertThat(result.passed()).isTrue();
            assertThat(backend.lastRequest()).contains("\r\nHost: app.example\r\n");
        }
    }

    @Test
    void httpFailsOn503() throws IOException {
        try (StubHttpBackend backend = new StubHttpBackend(503)) {
            CheckResult result = checker(http("/healthz", null)).check(local(backend.port()));
            assertThat(result.passed()).isFalse();
            assertThat(result.reason()).isEqualTo("HTTP 503 (expected 200-399)");
        }
    }

    @Test
    void httpFailsWhenTheBackendDoesNotAnswerInTime() throws IOException {
        try (StubHttpBackend backend = new StubHttpBackend(0)) {
            long began = System.nanoTime();
            CheckResult result = checker(http("/healthz", null)).check(local(backend.port()));
            long tookMillis = (System.nanoTime() - began) / 1_000_000;
            assertThat(result.passed()).isFalse();
            assertThat(result.reason()).isEqualTo("response: timed out after 300 ms");
            assertThat(tookMillis).isBetween(250L, 2_000L);
        }
    }

    @Test
    void httpFailsWhenRefused() throws IOException {
        CheckResult result = checker(http("/healthz", null)).check(local(closedPort()));
        assertThat(result.passed()).isFalse();
        assertThat(result.reason()).startsWith("connect: ");
    }

    @Test
    void httpFailsWhenTheBackendClosesWithoutAStatusLine() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread closer = Thread.ofVirtual().start(() -> {
                try {
                    server.accept().close();
                } catch (IOException ignored) {
                    // the test fails on its own assertion if this never happens
                }
            });
            CheckResult result = checker(http("/", null)).check(local(server.getLocalPort()));
            assertThat(result.passed()).isFalse();
            assertThat(result.reason()).startsWith("response: ");
            closer.interrupt();
        }
    }

    @Test
    void tcpPassesOnAListeningPort() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CheckResult result = checker(tcp()).check(local(server.getLocalPort()));
            assertThat(result).isEqualTo(new CheckResult(true, "connected"));
        }
    }

    @Test
    void tcpFailsOnAClosedPort() throws IOException {
        CheckResult result = checker(tcp()).check(local(closedPort()));
        assertThat(result.passed()).isFalse();
        assertThat(result.reason()).startsWith("connect: ");
    }

    @Test
    void checksOfAProxyProtocolPoolBeginWithTheLocalHeader() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 2, InetAddress.getLoopbackAddress())) {
            var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> firstBytes(server, 16 + 4),
                    java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            CheckResult tcp = ActiveChecker.of(tcp(), true).check(local(server.getLocalPort()));
            assertThat(tcp.passed()).as(tcp.reason()).isTrue();
            assertThat(first.get()).startsWith(ProxyProtocolV2.local()).hasSize(16); // then the close

            var head = java.util.concurrent.CompletableFuture.supplyAsync(() -> firstBytes(server, 16 + 4),
                    java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            ActiveChecker.of(http("/healthz", null), true).check(local(server.getLocalPort()));
            assertThat(head.get()).startsWith(ProxyProtocolV2.local());
            assertThat(new String(head.get(), 16, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("GET ");
        }
    }

    /** The first {@code n} bytes (fewer if the peer closes first) of the next connection, which is then closed. */
    private static byte[] firstBytes(ServerSocket server, int n) {
        try (var s = server.accept()) {
            return s.getInputStream().readNBytes(n);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void statusLineParsing() {
        assertThat(HttpChecker.statusOf("HTTP/1.1 200 OK")).isEqualTo(200);
        assertThat(HttpChecker.statusOf("HTTP/1.0 503")).isEqualTo(503);
        assertThat(HttpChecker.statusOf("HTTP/1.1 20 OK")).isEqualTo(-1);
        assertThat(HttpChecker.statusOf("HTTP/1.1 2000")).isEqualTo(-1);
        assertThat(HttpChecker.statusOf("SSH-2.0-OpenSSH")).isEqualTo(-1);
        assertThat(HttpChecker.statusOf(null)).isEqualTo(-1);
    }

    @Test
    void rejectsConfigsThatCannotWork() {
        assertThatThrownBy(() -> checker(http("healthz", null))).hasMessageContaining("health.path").hasMessageContaining("healthz");
        assertThatThrownBy(() -> checker(new HealthConfig(HealthConfig.Type.HTTP, "/", 400, 200, null,
                Duration.ofSeconds(1), TIMEOUT, 1, 1))).hasMessageContaining("expect_status").hasMessageContaining("400-200");
        assertThatThrownBy(() -> checker(new HealthConfig(HealthConfig.Type.TCP, null, 0, 0, null,
                Duration.ofSeconds(1), Duration.ZERO, 1, 1))).hasMessageContaining("health.timeout").hasMessageContaining("PT0S");
    }
}
