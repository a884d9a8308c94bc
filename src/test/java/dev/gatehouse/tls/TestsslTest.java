package dev.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.Tools;
import dev.gatehouse.node.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * testssl.sh (the Debian package) against a TLS listener with an ECDSA and an RSA certificate and the defaults: its
 * protocol, standard-cipher and vulnerability checks find nothing it rates LOW or worse. Only those check groups run
 * (with --fast), which is what "no vulnerability and no weak protocol or cipher offered" needs.
 */
@Timeout(300)
class TestsslTest {

    private static final Set<String> PROBLEMS = Set.of("LOW", "MEDIUM", "HIGH", "CRITICAL");

    @TempDir
    Path dir;

    @Test
    void testsslFindsNoVulnerabilityAndNoWeakProtocolOrCipher() throws Exception {
        Tools.require("testssl", "testssl.sh");
        TestCerts certs = TestCerts.in(dir);
        certs.ecdsa("ec", "a.test");
        certs.rsa("rsa", "b.test");
        try (ProtoBackend backend = new ProtoBackend();
                TestNode lb = backend.nodeInFront(dir,
                        "{ certificates: [ { cert: ec.crt, key: ec.key }, { cert: rsa.crt, key: rsa.key } ] }")) {
            Path json = dir.resolve("testssl.json");
            long started = System.nanoTime();
            // The vulnerability checks that apply to a server offering only TLS 1.2/1.3 with ECDHE+AEAD, one by one:
            // the rest of --vulnerable tests what --protocols and --std already show is not offered (SSLv2/3 and TLS
            // 1.0 for DROWN, POODLE, BEAST; CBC for LUCKY13; RC4, 3DES and export suites for RC4, SWEET32, FREAK,
            // LOGJAM), or HTTP compression (BREACH: the backend's business). The whole of --vulnerable takes over
            // 4 minutes on a loaded 2-core machine.
            Commands.Result r = Commands.run(dir, Duration.ofSeconds(265), "", "testssl", "--quiet", "--color", "0", "--nodns", "min",
                    "--warnings", "off", "--fast", "--protocols", "--std", "--heartbleed", "--ccs-injection", "--ticketbleed",
                    "-BB", "--renegotiation", "-C", "-Z", "--connect-timeout", "5",
                    "--openssl-timeout", "5", "--add-ca", certs.ca.toString(), "--jsonfile", json.toString(),
                    "https://127.0.0.1:" + lb.listener("web").getPort() + "/");
            System.out.printf("testssl: %d s%n", (System.nanoTime() - started) / 1_000_000_000L);
            assertThat(json).as("testssl wrote its report; its output:%n%s", r.output()).exists();
            JsonNode findings = new ObjectMapper().readTree(Files.readString(json));
            List<String> problems = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (JsonNode f : findings) {
                ids.add(f.path("id").asText());
                if (PROBLEMS.contains(f.path("severity").asText())) {
                    problems.add(f.path("id").asText() + " " + f.path("severity").asText() + ": " + f.path("finding").asText());
                }
            }
            assertThat(problems).as("testssl output:%n%s", r.output()).isEmpty();
            // It did run the checks: the protocols, the weak cipher groups and the best-known attacks are in the report.
            assertThat(ids).contains("SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3", "cipherlist_NULL",
                    "cipherlist_EXPORT", "cipherlist_3DES_IDEA", "cipherlist_AVERAGE", "heartbleed", "CCS", "ROBOT");
        }
    }
}
