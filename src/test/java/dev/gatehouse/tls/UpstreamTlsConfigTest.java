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

/** {@code pools.X.tls}: every bad file or setting is refused as FILE:LINE key.path; verify: false warns. */
@Timeout(120)
class UpstreamTlsConfigTest {

    @TempDir
    Path dir;
    private TestCerts.Leaf ec;
    private TestCerts.Leaf rsa;

    @BeforeEach
    void certificates() throws Exception {
        TestCerts certs = TestCerts.in(dir);
        ec = certs.ecdsa("ec", "a.test");
        rsa = certs.rsa("rsa", "b.test");
    }

    /** A config whose pool web has the endpoint {@code address} and {@code tls} (a flow mapping) at line 6. */
    private ConfigResult load(String address, String tls) throws Exception {
        return load(address, tls, "");
    }

    private ConfigResult load(String address, String tls, String more) throws Exception {
        Path file = dir.resolve("gh.yaml");
        Files.writeString(file, """
                node: { id: lb1 }
                listeners: [ { name: web, bind: 127.0.0.1:0, routes: [ { pool: web } ] } ]
                pools:
                  web:
                    endpoints: [ { address: "ADDRESS" } ]
                    tls: TLS
                MORE""".replace("ADDRESS", address).replace("TLS", tls).replace("MORE", more));
        return ConfigLoader.load(file);
    }

    private String at(int line, String rest) {
        return dir.resolve("gh.yaml") + ":" + line + " pools.web.tls" + rest;
    }

    @Test
    void aVerifiedPoolWithMutualTlsLoads() throws Exception {
        ConfigResult r = load("backend.test:443", "{ ca_file: ec.crt, client_cert: ec.crt, client_key: ec.key }");
        assertThat(r.errorLines()).isEmpty();
        assertThat(r.warningLines()).isEmpty();
        UpstreamTlsSettings tls = r.config().pools().get("web").tls();
        assertThat(tls.caFile()).isEqualTo(ec.cert());
        assertThat(tls.serverName()).isNull();
        assertThat(tls.verify()).isTrue();
        assertThat(tls.clientCert()).isEqualTo(ec.cert());
        assertThat(tls.clientKey()).isEqualTo(ec.key());
        assertThat(tls.fileHash()).hasSize(64);
        assertThat(UpstreamTls.build("web", tls, null).serverName("backend.test")).isEqualTo("backend.test");
    }

    @Test
    void anIpEndpointNeedsServerNameToBeVerified() throws Exception {
        assertThat(load("127.0.0.1:443", "{ ca_file: ec.crt }").errorLines()).containsExactly(at(6, ": endpoint 127.0.0.1:443 "
                + "is an IP address, so there is no name to verify its certificate against: set server_name (the name its "
                + "certificate covers) or verify: false"));
        ConfigResult named = load("127.0.0.1:443", "{ ca_file: ec.crt, server_name: A.Test }");
        assertThat(named.errorLines()).isEmpty();
        assertThat(named.config().pools().get("web").tls().serverName()).isEqualTo("a.test");
        assertThat(load("127.0.0.1:443", "{ server_name: 127.0.0.1 }").errorLines()).containsExactly(at(6,
                ".server_name: must be a DNS name (what the endpoints' certificates cover), got '127.0.0.1'"));
    }

    @Test
    void verifyFalseWarnsAndHasNoUseForACa() throws Exception {
        ConfigResult r = load("127.0.0.1:443", "{ verify: false }");
        assertThat(r.errorLines()).isEmpty();
        assertThat(r.warningLines()).containsExactly(at(6, ".verify: warning: endpoint certificates are not checked: whoever "
                + "answers at their addresses gets the traffic"));
        assertThat(load("127.0.0.1:443", "{ verify: false, ca_file: ec.crt }").errorLines()).containsExactly(
                at(6, ".ca_file: has no use with verify: false (nothing is checked against it)"));
    }

    @Test
    void eachBadFileOrSettingIsReportedAtItsKey() throws Exception {
        Files.writeString(dir.resolve("junk.crt"), "not a certificate\n");
        assertThat(load("a.test:443", "{ ca_file: missing.crt, client_cert: junk.crt, client_key: ec.key }").errorLines())
                .containsExactly(
                        at(6, ".ca_file: cannot read " + dir.resolve("missing.crt")
                                + ": no such file (a relative path is resolved from the config file's directory)"),
                        at(6, ".client_cert: " + dir.resolve("junk.crt") + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
        assertThat(load("a.test:443", "{ client_cert: ec.crt, client_key: rsa.key }").errorLines()).containsExactly(
                at(6, ".client_key: the key in " + rsa.key() + " does not match the certificate in " + ec.cert()));
        assertThat(load("a.test:443", "{ client_cert: ec.crt }").errorLines()).containsExactly(
                at(6, ".client_cert: needs client_key too (both or neither)"));
        assertThat(load("a.test:443", "{ verify: maybe, ciphers: [ x ] }").errorLines()).containsExactly(
                at(6, ".ciphers: unknown key"),
                at(6, ".verify: must be true or false, got 'maybe'"));
        assertThat(load("a.test:443", "{ }", "    proxy_protocol: v2\n").errorLines()).containsExactly(
                at(6, ": tls together with proxy_protocol: v2 is not available in this build (the PROXY header would have "
                        + "to go before the handshake)"));
    }

    @Test
    void aChangedFileChangesThePoolSoAReloadRebuildsIt() throws Exception {
        UpstreamTlsSettings before = load("a.test:443", "{ ca_file: ca.crt }").config().pools().get("web").tls();
        Files.writeString(dir.resolve("ca.crt"), Files.readString(rsa.cert()));
        UpstreamTlsSettings after = load("a.test:443", "{ ca_file: ca.crt }").config().pools().get("web").tls();
        assertThat(after).isNotEqualTo(before);
        assertThat(after.caFile()).isEqualTo(before.caFile());
    }

    @Test
    void theConfigHashCountsFileNamesAsWrittenSoNodesInOtherDirectoriesAgree() throws Exception {
        ConfigResult here = load("a.test:443", "{ ca_file: ./ca.crt, client_cert: ec.crt, client_key: ec.key }");
        assertThat(here.errorLines()).isEmpty();
        // The cluster-wide check reads no file: the same text gets the same answer on every member.
        ConfigResult shared = ConfigLoader.parseShared(Files.readString(dir.resolve("gh.yaml")).replaceFirst("node: .*\n", ""), "x");
        assertThat(shared.errorLines()).isEmpty();
        assertThat(shared.config().pools().get("web").tls().fileHash()).isEmpty();
        assertThat(Snapshot.hash(here.config())).isEqualTo(Snapshot.hash(shared.config()));
        Files.writeString(dir.resolve("ca.crt"), Files.readString(rsa.cert()));
        assertThat(Snapshot.hash(load("a.test:443", "{ ca_file: ./ca.crt, client_cert: ec.crt, client_key: ec.key }").config()))
                .isEqualTo(Snapshot.hash(here.config()));
    }
}
