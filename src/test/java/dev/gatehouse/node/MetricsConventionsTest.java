package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of a node with traffic in a cluster passes Prometheus' own linter, and the shipped Prometheus
 * rules and Grafana dashboard name only series it exports.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class MetricsConventionsTest {

    /** A metric name in PromQL: gatehouse_ or process_/jvm_ series (label names and functions never start so). */
    private static final Pattern SERIES = Pattern.compile("\\b((?:gatehouse|jvm|process)_[a-z0-9_]+)");

    @TempDir
    static Path dir;

    private static MonitoredCluster cluster;
    private static String metrics;

    @BeforeAll
    static void scrape() throws Exception {
        // a webhook nobody listens on: the alert meters exist, counting failures
        cluster = MonitoredCluster.start(dir, """
                alerts:
                  webhooks: [ { url: "http://127.0.0.1:1/", timeout: 1s } ]
                """);
        cluster.traffic(20, 5);
        metrics = cluster.scrape(cluster.owner());
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/metrics-sample.txt"), metrics);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void promtoolFindsNothingToComplainAbout() throws Exception {
        Path promtool = Tools.require("promtool", "prometheus");
        assertThat(metrics).contains("gatehouse_listener_requests_total{class=\"5xx\"", "gatehouse_vip_owned",
                "gatehouse_cluster_member_up", "gatehouse_endpoint_state", "gatehouse_alerts_failed_total");

        Tools.Output check = Tools.run(List.of(promtool.toString(), "check", "metrics"), null, metrics);
        assertThat(check.text()).as("promtool check metrics").isEmpty();
        assertThat(check.exit()).isZero();
    }

    @Test
    void theGrafanaDashboardQueriesOnlyExportedSeries() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("deploy/grafana/gatehouse.json").toFile());
        List<String> queries = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> queries.add(e.asText()));
        assertThat(queries).hasSizeGreaterThanOrEqualTo(8);
        assertThat(unknownSeries(queries)).as("series the dashboard names that /metrics lacks").isEmpty();
    }

    @Test
    void thePrometheusRulesNameOnlyExportedSeries() throws Exception {
        List<String> exprs = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("deploy/prometheus/rules.yaml"))) {
            if (line.strip().startsWith("expr:")) {
                exprs.add(line);
            }
        }
        assertThat(exprs).hasSizeGreaterThanOrEqualTo(8);
        assertThat(unknownSeries(exprs)).as("series the rules name that /metrics lacks").isEmpty();
    }

    /** The series named in {@code queries} with no sample in the scrape (a histogram's _bucket/_sum/_count included). */
    private static Set<String> unknownSeries(List<String> queries) {
        Set<String> unknown = new TreeSet<>();
        for (String q : queries) {
            Matcher m = SERIES.matcher(q);
            while (m.find()) {
                if (!Pattern.compile("(?m)^" + m.group(1) + "[{ ]").matcher(metrics).find()) {
                    unknown.add(m.group(1));
                }
            }
        }
        return unknown;
    }
}
