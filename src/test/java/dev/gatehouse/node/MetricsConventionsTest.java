package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics} of a node with traffic in a cluster passes Prometheus' own linter, {@code promtool check metrics}. */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class MetricsConventionsTest {

    @TempDir
    Path dir;

    @Test
    void promtoolFindsNothingToComplainAbout() throws Exception {
        Path promtool = Tools.require("promtool", "prometheus");
        try (MonitoredCluster cluster = MonitoredCluster.start(dir, "")) {
            cluster.traffic(20, 5);
            String metrics = cluster.scrape(cluster.owner());
            assertThat(metrics).contains("gatehouse_listener_requests_total{class=\"5xx\"", "gatehouse_vip_owned",
                    "gatehouse_cluster_member_up", "gatehouse_endpoint_state");

            Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
            try (var in = check.getOutputStream()) {
                in.write(metrics.getBytes(StandardCharsets.UTF_8));
            }
            String complaints = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(complaints).as("promtool check metrics").isEmpty();
            assertThat(check.exitValue()).isZero();
        }
    }
}
