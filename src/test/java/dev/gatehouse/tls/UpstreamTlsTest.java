package dev.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.Tools;
import dev.gatehouse.node.TestNode;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TLS towards backends, with {@code openssl s_server} as the backends: verified re-encryption through an http and a
 * tcp listener, a certificate from an untrusted CA or for another name refused (a failed connect, counted), mTLS with
 * and without the client certificate, and health checks that handshake as the data plane does.
 */
@Timeout(180)
class UpstreamTlsTest {

    private static Path dir;
    private static TlsBackend backend;
    private static TlsBackend mutual;
    private static TlsBackend impostor;
    private static TlsBackend nginx;
    private static TestNode lb;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("gh-upstream-tls");
        TestCerts certs = TestCerts.in(dir);
        TestCerts.Leaf server = certs.ecdsa("backend", "backend.test");
        certs.rsa("client", "gatehouse.test");
        Path other = Files.createDirectories(dir.resolve("other"));
        TestCerts.Leaf fake = TestCerts.in(other).ecdsa("impostor", "backend.test");
        Files.copy(other.resolve("ca.crt"), dir.resolve("rotating.crt"));
        backend = TlsBackend.openssl(dir, server);
        mutual = TlsBackend.openssl(dir, server, "-Verify", "1", "-CAfile", certs.ca.toString());
        impostor = TlsBackend.openssl(dir, fake);
        nginx = TlsBackend.nginx(dir, server);
        String fast = "health: { type: http, interval: 200ms, timeout: 1s, rise: 1, fall: 1 }";
        lb = TestNode.start(dir, 0, """
                node: { id: lb1 }
                listeners:
                  - { name: ok, bind: 127.0.0.1:0, routes: [ { pool: verified } ] }
                  - { name: raw, bind: 127.0.0.1:0, protocol: tcp, pool: verified }
                  - { name: wrongca, bind: 127.0.0.1:0, routes: [ { pool: wrongca } ] }
                  - { name: wrongname, bind: 127.0.0.1:0, routes: [ { pool: wrongname } ] }
                  - { name: mtls, bind: 127.0.0.1:0, routes: [ { pool: mtls } ] }
                  - { name: nocert, bind: 127.0.0.1:0, routes: [ { pool: nocert } ] }
                  - { name: retried, bind: 127.0.0.1:0, routes: [ { pool: retried } ] }
                  - { name: kept, bind: 127.0.0.1:0, routes: [ { pool: kept } ] }
                  - { name: rotating, bind: 127.0.0.1:0, routes: [ { pool: rotating } ] }
                pools:
                  verified:
                    endpoints: [ { address: "A" } ]
                    tls: { ca_file: ca.crt, server_name: backend.test }
                    FAST
                  wrongca:
                    endpoints: [ { address: "A" } ]
                    tls: { ca_file: other/ca.crt, server_name: backend.test }
                  wrongname:
                    endpoints: [ { address: "A" } ]
                    tls: { ca_file: ca.crt, server_name: elsewhere.test }
                  mtls:
                    endpoints: [ { address: "B" } ]
                    tls: { ca_file: ca.crt, server_name: backend.test, client_cert: client.crt, client_key: client.key }
                  nocert:
                    endpoints: [ { address: "B" } ]
                    tls: { ca_file: ca.crt, server_name: backend.test }
                  retried:
                    endpoints: [ { address: "C" }, { address: "A" } ]
                    tls: { ca_file: ca.crt, server_name: backend.test }
                  kept:
                    endpoints: [ { address: "N" } ]
                    tls: { ca_file: ca.crt, server_name: backend.test }
                  rotating:
                    endpoints: [ { address: "A" } ]
                    tls: { ca_file: rotating.crt, server_name: backend.test }
                  checked_untrusted:
                    endpoints: [ { address: "A" } ]
                    tls: { ca_file: other/ca.crt, server_name: backend.test }
                    FAST
                  checked_tcp:
                    endpoints: [ { address: "A" } ]
                    tls: { ca_file: ca.crt, server_name: elsewhere.test }
                    health: { type: tcp, interval: 200ms, timeout: 1s, rise: 1, fall: 1 }
                """.replace("FAST", fast).replace("\"A\"", "\"" + backend.address() + "\"")
                .replace("\"B\"", "\"" + mutual.address() + "\"").replace("\"C\"", "\"" + impostor.address() + "\"")
                .replace("\"N\"", "\"" + nginx.address() + "\""));
    }

    @AfterAll
    static void stop() {
        if (lb != null) {
            lb.close();
        }
        if (backend != null) {
            backend.close();
        }
        for (TlsBackend b : new TlsBackend[] {mutual, impostor, nginx}) {
            if (b != null) {
                b.close();
            }
        }
    }

    private static HttpResponse<String> get(String listener) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(lb.url(listener, "/"))).timeout(Duration.ofSeconds(10)).build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static long handshakeFailures(String pool) {
        Matcher m = Pattern.compile("(?m)^gatehouse_upstream_tls_handshake_failures_total\\{pool=\"" + pool + "\"} (\\S+)$")
                .matcher(lb.node.metrics());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }

    private static String state(String pool) {
        return lb.node.status().pools().stream().filter(p -> p.name().equals(pool)).findFirst().orElseThrow()
                .endpoints().getFirst().state();
    }

    @Test
    void anHttpListenerReachesTheVerifiedBackendOverTls() throws Exception {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get("ok");
            assertThat(r.statusCode()).isEqualTo(200);
            // s_server -www describes the session it had with its client: Gatehouse, over TLS 1.3.
            assertThat(r.body()).contains("TLSv1.3");
        }
        assertThat(handshakeFailures("verified")).isZero();
        assertThat(state("verified")).isEqualTo("healthy");
    }

    @Test
    void aTcpListenerReEncryptsWhatItRelays() throws Exception {
        try (Socket s = new Socket("127.0.0.1", lb.listener("raw").getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.0 200 ok").contains("TLSv1.3");
        }
    }

    @Test
    void aCertificateFromAnUntrustedCaIsAFailedConnect() throws Exception {
        long before = Math.max(0, handshakeFailures("wrongca"));
        assertThat(get("wrongca").statusCode()).isIn(502, 503);
        await().atMost(Duration.ofSeconds(5)).until(() -> handshakeFailures("wrongca") > before);
    }

    @Test
    void aCertificateForAnotherNameIsRefused() throws Exception {
        long before = Math.max(0, handshakeFailures("wrongname"));
        assertThat(get("wrongname").statusCode()).isIn(502, 503);
        await().atMost(Duration.ofSeconds(5)).until(() -> handshakeFailures("wrongname") > before);
    }

    @Test
    void aFailedHandshakeIsRetriedOnAnotherEndpoint() throws Exception {
        long before = Math.max(0, handshakeFailures("retried"));
        for (int i = 0; i < 4; i++) {
            assertThat(get("retried").statusCode()).isEqualTo(200);
        }
        // Round robin sends every other request first to the impostor, whose certificate no trusted CA signed.
        await().atMost(Duration.ofSeconds(5)).until(() -> handshakeFailures("retried") >= before + 2);
    }

    @Test
    void keptAliveUpstreamConnectionsAreReusedOverTls() throws Exception {
        String first = get("kept").body().strip();
        String last = first;
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = get("kept");
            assertThat(r.statusCode()).isEqualTo(200);
            last = r.body().strip();
        }
        // nginx answers "$connection $connection_requests": one upstream connection (and handshake) served them all.
        assertThat(last.split(" ")[0]).isEqualTo(first.split(" ")[0]);
        assertThat(Integer.parseInt(last.split(" ")[1])).isEqualTo(Integer.parseInt(first.split(" ")[1]) + 4);
        assertThat(handshakeFailures("kept")).isZero();
    }

    @Test
    void aReloadTakesOnAChangedCaFile() throws Exception {
        assertThat(get("rotating").statusCode()).isIn(502, 503);
        Files.copy(dir.resolve("ca.crt"), dir.resolve("rotating.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(lb.node.reloadFile()).isEmpty();
        assertThat(get("rotating").statusCode()).isEqualTo(200);
    }

    @Test
    void aBackendThatAsksForAClientCertificateGetsOnlyFromThePoolThatHasOne() throws Exception {
        HttpResponse<String> with = get("mtls");
        assertThat(with.statusCode()).isEqualTo(200);
        assertThat(with.body()).contains("TLSv1.3");
        assertThat(get("nocert").statusCode()).isIn(502, 503);
    }

    @Test
    void healthChecksHandshakeWithThePoolsTrust() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(state("checked_untrusted")).isEqualTo("unhealthy");
            assertThat(state("checked_tcp")).isEqualTo("unhealthy");
            assertThat(state("verified")).isEqualTo("healthy");
        });
        // The reason the check gives is the TLS library's: no path to a trusted CA, or no matching name.
        assertThat(lb.node.events().recent()).anySatisfy(e -> {
            assertThat(e.subject()).startsWith("checked_untrusted/");
            assertThat(e.detail()).contains("-> unhealthy: failed 1 checks in a row, last: tls: ").contains("trust anchors");
        });
        assertThat(lb.node.events().recent()).anySatisfy(e -> {
            assertThat(e.subject()).startsWith("checked_tcp/");
            assertThat(e.detail()).contains("-> unhealthy: failed 1 checks in a row, last: tls: ").contains("elsewhere.test");
        });
    }
}
