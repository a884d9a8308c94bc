package dev.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session tickets survive one rotation of the ticket keys (the previous key still decrypts) and not two; a
 * certificate reload keeps them, since every context gets the same keys. Driven by openssl s_client against a bare
 * Netty server with a listener's TLS handlers.
 */
@Timeout(120)
class TicketKeysTest {

    @TempDir
    Path dir;

    @Test
    void aTicketResumesAcrossOneRotationAndAReloadButNotTwoRotations() throws Exception {
        TestCerts certs = TestCerts.in(dir);
        TestCerts.Leaf leaf = certs.ecdsa("site", "a.test");
        try (BareTlsServer server = new BareTlsServer(leaf, "1.2")) {
            TlsService service = server.service;
            int port = server.port();

            Path session = dir.resolve("session.pem");
            assertThat(handshake(port, "-sess_out", session.toString())).contains("New, TLSv1.2");
            assertThat(handshake(port, "-sess_in", session.toString())).contains("Reused, TLSv1.2");

            service.rotateTicketKeys();
            assertThat(handshake(port, "-sess_in", session.toString())).contains("Reused, TLSv1.2");

            certs.ecdsa("site", "a.test"); // renewed in place
            assertThat(service.reloadFiles()).isEmpty();
            assertThat(handshake(port, "-sess_in", session.toString())).contains("Reused, TLSv1.2");

            service.rotateTicketKeys();
            assertThat(handshake(port, "-sess_in", session.toString())).contains("New, TLSv1.2");
        }
    }

    /** A TLS 1.2 handshake by s_client (whose tickets come within the handshake), with its session options. */
    private String handshake(int port, String... session) throws Exception {
        return Commands.sClient(dir, port, "-servername", "a.test", "-tls1_2", session[0], session[1]);
    }
}
