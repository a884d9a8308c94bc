package dev.gatehouse.node;

import static dev.gatehouse.node.ClusterNodes.ownedHere;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.alert.Alertmanager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A failover of a real two-node cluster with a witness shows up in a real Alertmanager, sent by the new owner. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterAlertsTest {

    @TempDir
    Path dir;

    private static boolean named(JsonNode alert, String alertname, String subject) {
        return alert.path("labels").path("alertname").asText().equals(alertname)
                && alert.path("labels").path("subject").asText().equals(subject);
    }

    @Test
    void aFailoverRaisesAnAlertInAlertmanager() throws Exception {
        try (Alertmanager am = Alertmanager.start(dir); MonitoredCluster cluster = MonitoredCluster.start(dir, """
                alerts:
                  webhooks:
                    - { url: "%s", format: alertmanager, events: [failover, member_down, lease_lost, split_suspected] }
                """.formatted(am.url()))) {
            Node owner = cluster.owner();
            Node survivor = owner == cluster.lb1 ? cluster.lb2 : cluster.lb1;
            String from = owner.snapshot().config().node().id();
            String to = survivor.snapshot().config().node().id();

            long stopped = System.nanoTime();
            owner.close(); // its process gone as far as the cluster can tell: the link ends, reports stop
            await().atMost(Duration.ofSeconds(30)).until(() -> ownedHere(survivor));
            long moved = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> am.alerts().stream()
                    .anyMatch(a -> named(a, "GatehouseFailover", "front") && a.path("labels").path("node").asText().equals(to)));
            System.out.println("alerts: failover alert in Alertmanager " + (System.nanoTime() - stopped) / 1_000_000
                    + " ms after the owner stopped, " + (System.nanoTime() - moved) / 1_000_000 + " ms after " + to + " served");
            JsonNode failover = am.alerts().stream().filter(a -> named(a, "GatehouseFailover", "front")
                    && a.path("labels").path("node").asText().equals(to)).findFirst().orElseThrow();
            assertThat(failover.path("labels").path("cluster").asText()).isEqualTo("monitored");
            assertThat(failover.path("annotations").path("description").asText()).contains(to + " acquired it");
            assertThat(failover.path("status").path("state").asText()).isEqualTo("active");
            await().atMost(Duration.ofSeconds(30)).until(() -> am.alerts().stream().anyMatch(a -> named(a, "GatehouseMemberDown", from)));
        }
    }
}
