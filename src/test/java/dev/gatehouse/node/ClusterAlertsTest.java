package dev.gatehouse.node;

import static dev.gatehouse.node.ClusterNodes.ownedHere;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.FreePorts;
import dev.gatehouse.alert.Alertmanager;
import dev.gatehouse.demo.DemoBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A failover of a real two-node cluster with a witness shows up in a real Alertmanager, sent by the new owner. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterAlertsTest {

    @TempDir
    Path dir;

    private static boolean named(JsonNode alert, String alertname, String subject) {
        return alert.path("labels").path("alertname").asText().equals(alertname)
                && alert.path("labels").path("subject").asText().equals(subject);
    }

    @Test
    void aFailoverRaisesAnAlertInAlertmanager() throws Exception {
        int vipPort = FreePorts.on("127.0.0.10");
        try (Alertmanager am = Alertmanager.start(dir); DemoBackend be1 = DemoBackend.start("127.0.0.1", 0, "be1")) {
            Files.writeString(dir.resolve("cluster.key"), "a shared secret of the test cluster, 32+ bytes long");
            String shared = """
                    listeners:
                      - { name: web, bind: "vip:front:%d", routes: [ { pool: web } ] }
                    pools:
                      web:
                        endpoints: [ { address: "127.0.0.1:%d" } ]
                    cluster:
                      name: alert-edge
                      secret_file: cluster.key
                      members:
                        - { id: lb1, address: "127.0.0.1:%d", priority: 150 }
                        - { id: lb2, address: "127.0.0.1:%d", priority: 100 }
                        - { id: w1, address: "127.0.0.1:%d", role: witness }
                      vips:
                        - { name: front, address: 127.0.0.10, driver: loopback, preempt: { enabled: true, delay: 0s } }
                    alerts:
                      webhooks:
                        - { url: "%s", format: alertmanager, events: [failover, member_down, lease_lost, split_suspected] }
                    """.formatted(vipPort, be1.port(), FreePorts.cluster("127.0.0.1"), FreePorts.cluster("127.0.0.1"),
                    FreePorts.cluster("127.0.0.1"), am.url());
            try (Node w1 = ClusterNodes.start(dir, "w1", shared); Node lb1 = ClusterNodes.start(dir, "lb1", shared);
                    Node lb2 = ClusterNodes.start(dir, "lb2", shared)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> ownedHere(lb1));

                long killed = System.nanoTime();
                lb1.close(); // its process gone as far as the cluster can tell: the link ends, reports stop
                await().atMost(Duration.ofSeconds(30)).until(() -> ownedHere(lb2));
                long moved = System.nanoTime();
                await().atMost(Duration.ofSeconds(30)).until(() -> am.alerts().stream()
                        .anyMatch(a -> named(a, "GatehouseFailover", "front") && a.path("labels").path("node").asText().equals("lb2")));
                System.out.println("alerts: failover alert in Alertmanager " + (System.nanoTime() - killed) / 1_000_000
                        + " ms after the owner stopped, " + (System.nanoTime() - moved) / 1_000_000 + " ms after lb2 served");
                JsonNode failover = am.alerts().stream().filter(a -> named(a, "GatehouseFailover", "front")
                        && a.path("labels").path("node").asText().equals("lb2")).findFirst().orElseThrow();
                assertThat(failover.path("labels").path("cluster").asText()).isEqualTo("alert-edge");
                assertThat(failover.path("annotations").path("description").asText()).contains("lb2 acquired it");
                assertThat(failover.path("status").path("state").asText()).isEqualTo("active");
                await().atMost(Duration.ofSeconds(30)).until(() -> am.alerts().stream().anyMatch(a -> named(a, "GatehouseMemberDown", "lb1")));
            }
        }
    }
}
