package dev.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.node.TestNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates renewed in place are served to new handshakes without a restart, while a connection made before keeps
 * its session and keeps being served; bad new files are refused, the previous certificate serving on.
 */
@Timeout(120)
class TlsReloadTest {

    @TempDir
    Path dir;

    @Test
    void aRenewedCertificateServesNewHandshakesAndAnOpenConnectionLivesOn() throws Exception {
        TestCerts certs = TestCerts.in(dir);
        certs.ecdsa("site", "a.test");
        TestCerts.Leaf renewed = certs.ecdsa("renewed", "a.test", "www.a.test");
        try (ProtoBackend backend = new ProtoBackend();
                TestNode lb = backend.nodeInFront(dir, "{ certificates: [ { cert: site.crt, key: site.key } ] }");
                TestTlsClient before = new TestTlsClient(certs.ca, "a.test", lb.listener("web").getPort())) {
            int port = lb.listener("web").getPort();
            BigInteger first = before.peer().getSerialNumber();
            assertThat(before.get("/")).endsWith("proto=https\n");

            // Renewed in place: the key first, then the certificate, as an operator's copy would.
            Files.copy(renewed.key(), dir.resolve("site.key"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed.cert(), dir.resolve("site.crt"), StandardCopyOption.REPLACE_EXISTING);
            // Found by the file poll (every 5 s), with no signal and no config change.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
                try (TestTlsClient c = new TestTlsClient(certs.ca, "a.test", port)) {
                    return !c.peer().getSerialNumber().equals(first);
                }
            });
            assertThat(lb.node.events().recent()).anySatisfy(e -> assertThat(e.detail())
                    .isEqualTo("certificates reloaded: a.test"));
            // The connection made before the change keeps its session and is served on.
            assertThat(before.get("/again")).startsWith("HTTP/1.1 200").endsWith("proto=https\n");
            assertThat(before.peer().getSerialNumber()).isEqualTo(first);

            BigInteger second;
            try (TestTlsClient c = new TestTlsClient(certs.ca, "a.test", port)) {
                second = c.peer().getSerialNumber();
            }
            Files.writeString(dir.resolve("site.crt"), "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
            // SIGHUP reads the config and its files again: the bad file refuses it, as `check` would.
            assertThat(lb.node.reloadFile()).singleElement().asString()
                    .contains("gatehouse.yaml:5 listeners[0].tls.certificates[0].cert: " + dir.resolve("site.crt")
                            + " holds a certificate that cannot be read");
            // The file poll refuses it too, once, and says so.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(lb.node.events().recent())
                    .anySatisfy(e -> assertThat(e.detail())
                            .startsWith("new certificates refused, the previous ones keep serving: ")));
            try (TestTlsClient c = new TestTlsClient(certs.ca, "a.test", port)) {
                assertThat(c.peer().getSerialNumber()).isEqualTo(second);
                assertThat(c.get("/")).endsWith("proto=https\n");
            }
            assertThat(before.get("/still")).endsWith("proto=https\n");
        }
    }
}
