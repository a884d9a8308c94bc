package dev.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.FreePorts;
import dev.gatehouse.demo.DemoBackend;
import dev.gatehouse.node.ClusterNodes;
import dev.gatehouse.node.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * lb1, lb2 and a witness in this JVM share their session-ticket keys through the cluster: a TLS session that
 * openssl s_client got from lb1 on the VIP resumes on lb2 after the VIP moved there, without a full handshake.
 */
@Timeout(120)
class TicketKeysFailoverTest {

    private static final String VIP = "127.0.0.10";

    @TempDir
    Path dir;

    @Test
    void aSessionFromLb1ResumesOnLb2AfterAFailover() throws Exception {
        int port = FreePorts.on(VIP);
        TestCerts.Leaf leaf = TestCerts.in(dir).ecdsa("site", "a.test");
        Files.writeString(dir.resolve("cluster.key"), "a shared secret of the test cluster, 32+ bytes long");
        try (DemoBackend be = DemoBackend.start("127.0.0.1", 0, "be1")) {
            String shared = """
                    listeners:
                      - name: web
                        bind: "vip:front:%d"
                        tls: { certificates: [ { cert: "%s", key: "%s" } ] }
                        routes: [ { pool: web } ]
                    pools:
                      web: { endpoints: [ { address: "127.0.0.1:%d" } ] }
                    """.formatted(port, leaf.cert(), leaf.key(), be.port())
                    + ClusterNodes.clusterSection("127.0.0.1", "test-edge", "600ms", "{ enabled: false }");
            try (Node w1 = ClusterNodes.start(dir, "w1", shared); Node lb1 = ClusterNodes.start(dir, "lb1", shared);
                    Node lb2 = ClusterNodes.start(dir, "lb2", shared)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> ClusterNodes.ownedHere(lb1));
                await().atMost(Duration.ofSeconds(10)).until(() -> ticketKeys(lb1).startsWith("shared by the cluster")
                        && ticketKeys(lb1).equals(ticketKeys(lb2)));
                assertThat(w1.status().tls()).as("a witness serves no TLS").isNull();

                Path session = dir.resolve("session.pem");
                assertThat(handshake(port, "-sess_out", session)).contains("New, TLSv1.2");
                assertThat(handshake(port, "-sess_in", session)).as("resumed on lb1").contains("Reused, TLSv1.2");

                assertThat(lb1.demote()).isTrue();
                await().atMost(Duration.ofSeconds(10)).until(() -> ClusterNodes.ownedHere(lb2) && !ClusterNodes.ownedHere(lb1));
                assertThat(handshake(port, "-sess_in", session)).as("resumed on lb2").contains("Reused, TLSv1.2");
            }
        }
    }

    private static String ticketKeys(Node node) {
        return node.status().tls().ticketKeys();
    }

    /** A TLS 1.2 handshake with the VIP (its tickets come within the handshake), with a session file option. */
    private String handshake(int port, String option, Path session) throws Exception {
        return Commands.sClient(dir, VIP, port, "-servername", "a.test", "-tls1_2", option, session.toString());
    }
}
