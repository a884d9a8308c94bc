package dev.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK's provider, what runs where BoringSSL cannot load (forced here by the system property): the same
 * versions, the same ECDHE+AEAD suites and groups, certificates by SNI.
 */
@Timeout(120)
class JdkProviderTest {

    @TempDir
    Path dir;

    @AfterEach
    void unforce() {
        System.clearProperty("gatehouse.tls.provider");
    }

    @Test
    void theJdkProviderServesTls13And12WithTheSameSuitesAndGroups() throws Exception {
        TestCerts certs = TestCerts.in(dir);
        TestCerts.Leaf leaf = certs.rsa("site", "a.test");
        System.setProperty("gatehouse.tls.provider", "jdk");
        try (BareTlsServer server = new BareTlsServer(leaf, "1.2")) {
            assertThat(server.service.status().provider()).startsWith("JDK");
            String v13 = handshake(server.port(), "-tls1_3");
            assertThat(v13).contains("New, TLSv1.3, Cipher is TLS_AES_").contains("Verify return code: 0 (ok)");
            String v12 = handshake(server.port(), "-tls1_2", "-groups", "P-384");
            assertThat(v12).containsPattern("New, TLSv1.2, Cipher is ECDHE-RSA-(AES\\d+-GCM|CHACHA20)")
                    .contains("Server Temp Key: ECDH, secp384r1");
            assertThat(handshake(server.port(), "-tls1_2", "-cipher", "AES128-SHA:AES256-SHA256")).contains("alert handshake failure");
            assertThat(handshake(server.port(), "-tls1_2", "-groups", "ffdhe2048")).doesNotContain("New, TLSv1.2");
        }
    }

    private String handshake(int port, String... options) throws Exception {
        String[] base = {"-servername", "a.test", "-CAfile", "ca.crt"};
        String[] command = new String[base.length + options.length];
        System.arraycopy(base, 0, command, 0, base.length);
        System.arraycopy(options, 0, command, base.length, options.length);
        return Commands.sClient(dir, port, command);
    }
}
