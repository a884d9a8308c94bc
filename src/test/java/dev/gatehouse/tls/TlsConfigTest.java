package dev.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.ConfigResult;
import dev.gatehouse.config.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code listeners[].tls}: every bad certificate, key or setting is refused as FILE:LINE key.path; an expired one warns. */
@Timeout(120)
class TlsConfigTest {

    @TempDir
    Path dir;
    private TestCerts certs;
    private TestCerts.Leaf ec;
    private TestCerts.Leaf rsa;

    @BeforeEach
    void certificates() throws Exception {
        certs = TestCerts.in(dir);
        ec = certs.ecdsa("ec", "a.test");
        rsa = certs.rsa("rsa", "b.test");
    }

    /** A config whose listener has {@code tls} (a flow mapping, or block lines indented here) at line 5. */
    private ConfigResult load(String tls) throws Exception {
        if (tls.startsWith("\n")) {
            tls = tls.replace("\n", "\n      ");
        }
        Path file = dir.resolve("gh.yaml");
        Files.writeString(file, ProtoBackend.config(tls, "127.0.0.1:9"));
        return ConfigLoader.load(file);
    }

    @Test
    void aListenerWithMatchingPairsLoadsWithSecureDefaults() throws Exception {
        ConfigResult r = load("{ certificates: [ { cert: ec.crt, key: ec.key }, { cert: rsa.crt, key: rsa.key } ] }");
        assertThat(r.errorLines()).isEmpty();
        TlsSettings tls = r.config().listeners().getFirst().tls();
        assertThat(tls.certificates()).extracting(TlsSettings.CertificatePair::cert).containsExactly(ec.cert(), rsa.cert());
        assertThat(tls.minVersion()).isEqualTo("1.2");
        assertThat(tls.ciphers()).allSatisfy(c -> assertThat(c).startsWith("TLS_ECDHE_").containsAnyOf("GCM", "CHACHA20"));
        assertThat(tls.groups()).containsExactly("X25519", "P-256", "P-384");
        assertThat(tls.alpn()).containsExactly("http/1.1");
        assertThat(r.warningLines()).isEmpty();
    }

    @Test
    void eachBadFileIsReportedAtItsKey() throws Exception {
        Files.writeString(dir.resolve("junk.crt"), "not a certificate\n");
        ConfigResult r = load("""

                certificates:
                  - { cert: missing.crt, key: ec.key }
                  - { cert: junk.crt, key: ec.key }
                  - { cert: ec.crt, key: rsa.key }
                  - { cert: ec.crt, key: ec.crt }""");
        String f = dir.resolve("gh.yaml").toString();
        assertThat(r.errorLines()).containsExactly(
                f + ":7 listeners[0].tls.certificates[0].cert: cannot read " + dir.resolve("missing.crt")
                        + ": no such file (a relative path is resolved from the config file's directory)",
                f + ":8 listeners[0].tls.certificates[1].cert: " + dir.resolve("junk.crt")
                        + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                f + ":9 listeners[0].tls.certificates[2]: the key in " + rsa.key() + " does not match the certificate in "
                        + ec.cert(),
                f + ":10 listeners[0].tls.certificates[3].key: " + ec.cert()
                        + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }

    @Test
    void weakOrUnbuiltSettingsAreRefusedByName() throws Exception {
        ConfigResult r = load("""

                certificates: [ { cert: ec.crt, key: ec.key } ]
                min_version: "1.1"
                ciphers: [ TLS_RSA_WITH_AES_128_CBC_SHA, TLS_AES_128_GCM_SHA256 ]
                groups: [ ffdhe2048 ]
                alpn: [ h2, spdy/3 ]
                session_cache: 1000""");
        assertThat(r.errorLines()).extracting(l -> l.substring(l.indexOf(' ') + 1)).containsExactly(
                "listeners[0].tls.min_version: must be \"1.2\" or \"1.3\", got '1.1' (older versions are insecure)",
                "listeners[0].tls.ciphers[0]: 'TLS_RSA_WITH_AES_128_CBC_SHA' is not offered: only ECDHE with AES-GCM or "
                        + "ChaCha20-Poly1305 (" + String.join(", ", TlsSettings.DEFAULT_CIPHERS) + ")",
                "listeners[0].tls.ciphers[1]: 'TLS_AES_128_GCM_SHA256' is a TLS 1.3 suite: those are fixed (all three AEADs "
                        + "are offered); ciphers lists TLS 1.2 suites",
                "listeners[0].tls.groups[0]: must be one of X25519, P-256, P-384, got 'ffdhe2048'",
                "listeners[0].tls.alpn[1]: must be h2 or http/1.1, got 'spdy/3'",
                "listeners[0].tls.session_cache: unknown key");
    }

    @Test
    void clientCertificateSettingsAreCheckedAtTheirKeys() throws Exception {
        ConfigResult ok = load("{ certificates: [ { cert: ec.crt, key: ec.key } ], client_ca: ca.crt }");
        assertThat(ok.errorLines()).isEmpty();
        assertThat(ok.config().listeners().getFirst().tls().clientAuth())
                .isEqualTo(new TlsSettings.ClientAuth(certs.ca, "ca.crt", true));

        String f = dir.resolve("gh.yaml").toString();
        assertThat(load("{ certificates: [ { cert: ec.crt, key: ec.key } ], client_ca: ec.key, verify_client: sometimes }")
                .errorLines()).containsExactly(
                f + ":5 listeners[0].tls.client_ca: " + ec.key() + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                f + ":5 listeners[0].tls.verify_client: must be required or optional, got 'sometimes'");
        assertThat(load("{ certificates: [ { cert: ec.crt, key: ec.key } ], verify_client: optional }").errorLines())
                .containsExactly(f + ":5 listeners[0].tls.verify_client: needs client_ca: the CA certificates client "
                        + "certificates must chain to");
    }

    @Test
    void anExpiredCertificateWarnsButLoads() throws Exception {
        TestCerts.Leaf old = certs.expired("old", "old.test");
        ConfigResult r = load("{ certificates: [ { cert: old.crt, key: old.key } ] }");
        assertThat(r.errorLines()).isEmpty();
        assertThat(r.warningLines()).singleElement().asString()
                .startsWith(dir.resolve("gh.yaml") + ":5 listeners[0].tls.certificates[0].cert: warning: the certificate old.test expired at 2020-01-03");
        assertThat(old.key()).exists();
    }

    @Test
    void theConfigHashCountsCertificatePathsAsWrittenSoNodesInOtherDirectoriesAgree() throws Exception {
        String body = """
                listeners:
                  - { name: web, bind: 127.0.0.1:0, tls: { certificates: [ { cert: ec.crt, key: ec.key } ], client_ca: ca.crt },
                      routes: [ { pool: web } ] }
                pools:
                  web: { endpoints: [ { address: 127.0.0.1:9 } ] }
                """;
        ConfigResult here = ConfigLoader.parse("node: { id: lb1 }\n" + body, dir.resolve("gh.yaml").toString());
        ConfigResult shared = ConfigLoader.parseShared(body, "cluster");
        assertThat(here.errorLines()).isEmpty();
        assertThat(here.config().listeners().getFirst().tls().certificates().getFirst().cert()).isEqualTo(ec.cert());
        assertThat(Snapshot.hash(here.config())).isEqualTo(Snapshot.hash(shared.config()));
    }

    @Test
    void theClusterWideCheckReadsNoFile() {
        ConfigResult r = ConfigLoader.parseShared("""
                listeners:
                  - { name: web, bind: 127.0.0.1:0, tls: { certificates: [ { cert: /nowhere/a.crt, key: /nowhere/a.key } ] },
                      routes: [ { pool: web } ] }
                pools:
                  web: { endpoints: [ { address: 127.0.0.1:9 } ] }
                """, "cluster");
        assertThat(r.errorLines()).isEmpty();
    }
}
