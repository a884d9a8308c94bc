package dev.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.Tools;
import dev.gatehouse.node.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listeners that ask for client certificates (curl with and without one): a required one refuses a client without a
 * valid certificate at the handshake; the backend gets the verified subject in X-Client-Cert-Subject, and never one a
 * client wrote itself.
 */
@Timeout(120)
class ClientCertificateTest {

    private static final String FORGED = "X-Client-Cert-Subject: CN=forged";

    @TempDir
    Path dir;

    @Test
    void aRequiredCertificateIsVerifiedAndItsSubjectGoesUpstream() throws Exception {
        Tools.require("curl", "curl");
        TestCerts certs = TestCerts.in(dir);
        certs.ecdsa("site", "a.test");
        certs.ecdsa("client", "client.test");
        Path stranger = Files.createDirectories(dir.resolve("other"));
        TestCerts.in(stranger).ecdsa("client", "client.test"); // the same name, from a CA the listener does not trust
        try (ProtoBackend backend = new ProtoBackend();
                TestNode lb = backend.nodeInFront(dir, "{ certificates: [ { cert: site.crt, key: site.key } ], client_ca: ca.crt }")) {
            int port = lb.node.listenerAddress("web").getPort();

            Commands.Result with = curl(port, "--cert", "client.crt", "--key", "client.key", "-H", FORGED);
            assertThat(with.exit()).as(with.output()).isZero();
            assertThat(with.output()).isEqualTo("proto=https\nsubject=CN=client.test\n");

            Commands.Result without = curl(port);
            assertThat(without.exit()).as("no client certificate: " + without.output()).isNotZero();
            Commands.Result untrusted = curl(port, "--cert", "other/client.crt", "--key", "other/client.key");
            assertThat(untrusted.exit()).as("a certificate of another CA: " + untrusted.output()).isNotZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> lb.node.metrics()
                    .contains("gatehouse_tls_handshakes_total{listener=\"web\",result=\"failed\"} 2.0"));
        }
    }

    @Test
    void anOptionalCertificateLetsAClientWithoutOneInAndNoSubjectIsForged() throws Exception {
        Tools.require("curl", "curl");
        TestCerts certs = TestCerts.in(dir);
        certs.ecdsa("site", "a.test");
        certs.ecdsa("client", "client.test");
        try (ProtoBackend backend = new ProtoBackend();
                TestNode lb = backend.nodeInFront(dir, "{ certificates: [ { cert: site.crt, key: site.key } ], client_ca: ca.crt, "
                        + "verify_client: optional }")) {
            int port = lb.node.listenerAddress("web").getPort();

            Commands.Result without = curl(port, "-H", FORGED);
            assertThat(without.exit()).as(without.output()).isZero();
            assertThat(without.output()).isEqualTo("proto=https\n");

            Commands.Result with = curl(port, "--cert", "client.crt", "--key", "client.key");
            assertThat(with.output()).isEqualTo("proto=https\nsubject=CN=client.test\n");
        }
    }

    /** curl to https://a.test on {@code port} (127.0.0.1), trusting the test CA, printing only the body. */
    private Commands.Result curl(int port, String... options) throws Exception {
        String[] base = {"curl", "-sS", "--max-time", "10", "--cacert", "ca.crt", "--resolve", "a.test:" + port + ":127.0.0.1"};
        String[] command = new String[base.length + options.length + 1];
        System.arraycopy(base, 0, command, 0, base.length);
        System.arraycopy(options, 0, command, base.length, options.length);
        command[command.length - 1] = "https://a.test:" + port + "/";
        return Commands.run(dir, Duration.ofSeconds(20), "", command);
    }
}
