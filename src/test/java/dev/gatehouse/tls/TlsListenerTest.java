package dev.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Tools;
import dev.gatehouse.node.TestNode;
import dev.gatehouse.proxy.TestBackend;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TLS listeners driven by curl, openssl s_client and a JDK client: certificates chosen by SNI (exact, wildcard,
 * default), TLS 1.2 and 1.3, min_version, ALPN, resumption by session ticket, X-Forwarded-Proto, a tcp listener
 * relaying cleartext, and what status and metrics show.
 */
@Timeout(180)
class TlsListenerTest {

    private static Path dir;
    private static TestCerts certs;
    private static ProtoBackend backend;
    private static TestBackend echo;
    private static TestNode lb;

    @BeforeAll
    static void start() throws Exception {
        Tools.require("curl", "curl");
        dir = Files.createTempDirectory("gh-tls");
        certs = TestCerts.in(dir);
        certs.ecdsa("ec", "a.test", "*.wild.test");
        certs.rsa("rsa", "b.test");
        backend = new ProtoBackend();
        echo = TestBackend.start(TestBackend.ECHO);
        lb = TestNode.start(dir, 0, """
                node: { id: lb1 }
                listeners:
                  - name: web
                    bind: 127.0.0.1:0
                    tls: { certificates: [ { cert: ec.crt, key: ec.key }, { cert: rsa.crt, key: rsa.key } ] }
                    routes: [ { pool: web } ]
                  - name: strict
                    bind: 127.0.0.1:0
                    tls: { certificates: [ { cert: ec.crt, key: ec.key } ], min_version: "1.3" }
                    routes: [ { pool: web } ]
                  - name: raw
                    bind: 127.0.0.1:0
                    protocol: tcp
                    tls: { certificates: [ { cert: rsa.crt, key: rsa.key } ] }
                    pool: echo
                  - name: plain
                    bind: 127.0.0.1:0
                    routes: [ { pool: web } ]
                pools:
                  web: { endpoints: [ { address: "BACKEND" } ] }
                  echo: { endpoints: [ { address: "ECHO" } ] }
                """.replace("BACKEND", backend.address()).replace("ECHO", "127.0.0.1:" + echo.address().getPort()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (lb != null) {
            lb.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (echo != null) {
            echo.close();
        }
    }

    private static int port(String listener) {
        return lb.listener(listener).getPort();
    }

    private static Commands.Result curl(String listener, String host, String... options) throws Exception {
        int port = port(listener);
        String[] base = {"curl", "-sS", "-v", "--max-time", "10", "--cacert", "ca.crt", "--resolve",
            host + ":" + port + ":127.0.0.1"};
        String[] command = new String[base.length + options.length + 1];
        System.arraycopy(base, 0, command, 0, base.length);
        System.arraycopy(options, 0, command, base.length, options.length);
        command[command.length - 1] = "https://" + host + ":" + port + "/";
        return Commands.run(dir, Duration.ofSeconds(20), "", command);
    }

    private static String sClient(String listener, String... options) throws Exception {
        String[] command = new String[options.length + 2];
        command[0] = "-CAfile";
        command[1] = "ca.crt";
        System.arraycopy(options, 0, command, 2, options.length);
        return Commands.sClient(dir, port(listener), command);
    }

    @Test
    void curlGetsTheBackendOverTls13AndTls12WithXForwardedProtoHttps() throws Exception {
        Commands.Result v13 = curl("web", "a.test", "--tlsv1.3");
        assertThat(v13.exit()).as(v13.output()).isZero();
        assertThat(v13.output()).contains("SSL connection using TLSv1.3").contains("proto=https")
                .contains("subject: CN=a.test").contains("SSL certificate verify ok");
        Commands.Result v12 = curl("web", "b.test", "--tls-max", "1.2");
        assertThat(v12.exit()).as(v12.output()).isZero();
        assertThat(v12.output()).containsPattern("SSL connection using TLSv1.2 / ECDHE-RSA-(AES\\d+-GCM|CHACHA20)")
                .contains("subject: CN=b.test").contains("proto=https");
        Commands.Result plain = Commands.run(dir, Duration.ofSeconds(20), "", "curl", "-sS", "--max-time", "10",
                "http://127.0.0.1:" + port("plain") + "/");
        assertThat(plain.output()).isEqualTo("proto=http\n");
    }

    @Test
    void sniPicksExactThenWildcardThenTheFirstCertificate() throws Exception {
        assertThat(sClient("web", "-servername", "b.test")).contains("subject=CN = b.test").contains("Verify return code: 0 (ok)");
        assertThat(sClient("web", "-servername", "x.wild.test")).contains("subject=CN = a.test").contains("Verify return code: 0 (ok)");
        assertThat(sClient("web", "-servername", "deep.x.wild.test")).contains("subject=CN = a.test");
        assertThat(sClient("web", "-servername", "unknown.test")).contains("subject=CN = a.test");
        assertThat(sClient("web", "-noservername")).contains("subject=CN = a.test");
        assertThat(sClient("web", "-servername", "B.TEST")).contains("subject=CN = b.test");
    }

    @Test
    void alpnOffersHttp11AndMinVersionRefusesOlderClients() throws Exception {
        assertThat(sClient("web", "-servername", "a.test", "-alpn", "h2,http/1.1")).contains("ALPN protocol: http/1.1");
        Commands.Result old = curl("strict", "a.test", "--tls-max", "1.2");
        assertThat(old.exit()).as(old.output()).isEqualTo(35); // CURLE_SSL_CONNECT_ERROR
        assertThat(curl("strict", "a.test", "--tlsv1.3").exit()).isZero();
        // No CBC, no RSA key exchange, no 3DES: a client offering only those finds nothing in common.
        assertThat(sClient("web", "-tls1_2", "-cipher", "AES128-SHA:DES-CBC3-SHA:AES256-SHA256"))
                .contains("alert handshake failure");
    }

    @Test
    void aClientResumesItsSessionWithTheTicket() throws Exception {
        for (String version : new String[] {"-tls1_2", "-tls1_3"}) {
            Path session = dir.resolve("session" + version + ".pem");
            String first = Commands.run(dir, Duration.ofSeconds(20), "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                    "openssl", "s_client", "-connect", "127.0.0.1:" + port("web"), "-CAfile", "ca.crt", "-servername",
                    "a.test", version, "-ign_eof", "-sess_out", session.toString()).output();
            assertThat(first).contains("New, TLSv1.");
            String again = sClient("web", "-servername", "a.test", version, "-sess_in", session.toString());
            assertThat(again).as(version).contains("Reused, TLSv1.");
        }
    }

    @Test
    void aTcpListenerTerminatesTlsAndRelaysCleartext() throws Exception {
        try (TestTlsClient client = new TestTlsClient(certs.ca, "b.test", port("raw"))) {
            assertThat(client.peer().getSubjectX500Principal().getName()).isEqualTo("CN=b.test");
            OutputStream out = client.socket.getOutputStream();
            InputStream in = client.socket.getInputStream();
            byte[] message = "cleartext to the backend\n".getBytes(StandardCharsets.US_ASCII);
            out.write(message);
            out.flush();
            assertThat(in.readNBytes(message.length)).isEqualTo(message);
        }
    }

    @Test
    void statusAndMetricsShowTheProviderAndEveryCertificateExpiry() {
        TlsStatus tls = lb.node.status().tls();
        assertThat(tls.provider()).startsWith("BoringSSL");
        assertThat(tls.certificates()).extracting(c -> c.listener() + "/" + c.name())
                .contains("web/a.test", "web/b.test", "strict/a.test", "raw/b.test");
        assertThat(tls.certificates()).allSatisfy(c -> assertThat(c.expiresInSeconds()).isBetween(29L * 86400, 30L * 86400));
        assertThat(tls.expiringSoon()).isEmpty();
        assertThat(lb.node.metrics()).containsPattern(
                "gatehouse_tls_certificate_expiry_seconds\\{listener=\"web\",name=\"b.test\"} 2[56]\\d{5}")
                .containsPattern("gatehouse_tls_handshakes_total\\{listener=\"web\",result=\"ok\"} [1-9]");
    }
}
