package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API over real HTTP against a running node. */
class AdminApiTest {

    static final String CONFIG = """
            node: { id: lb1, admin: { bind: 127.0.0.1:0, token_file: admin.token } }
            listeners:
              - { name: web, bind: 127.0.0.1:0, routes: [ { pool: web } ] }
            pools:
              web:
                endpoints: [ { address: "${be1}", zone: az1 }, { address: "${be2}" } ]
                health: { type: http, path: /healthz, interval: 200ms, timeout: 100ms, rise: 1, fall: 1 }
            """;

    @TempDir
    Path dir;

    TestNode lb;
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void start() throws Exception {
        AdminTokens.write(dir);
        lb = TestNode.start(dir, 2, CONFIG);
    }

    @AfterEach
    void stop() {
        http.close();
        lb.close();
    }

    @Test
    void statusListsListenersPoolsAndEndpointStates() throws Exception {
        JsonNode s = getJson("/api/v1/status");
        assertThat(s.path("node").asText()).isEqualTo("lb1");
        assertThat(s.path("config_version").asLong()).isEqualTo(1);
        assertThat(s.path("config_hash").asText()).hasSize(64);
        assertThat(s.path("listeners").get(0).path("name").asText()).isEqualTo("web");
        JsonNode limits = s.path("listeners").get(0).path("limits");
        assertThat(limits.path("max_connections").isInt()).isTrue();
        assertThat(limits.path("refused_by_rate").isNumber()).isTrue();
        assertThat(limits.path("refused_by_client_cap").isNumber()).isTrue();
        assertThat(limits.path("tracked_clients").isInt()).isTrue();
        JsonNode endpoints = s.path("pools").get(0).path("endpoints");
        assertThat(endpoints).hasSize(2);
        assertThat(endpoints.get(0).path("state").asText()).isEqualTo("healthy");
        assertThat(endpoints.get(0).path("zone").asText()).isEqualTo("az1");
    }

    @Test
    void historyHasEachSecondOfTrafficAndEachEndpointStateChange() throws Exception {
        String be1 = "127.0.0.1:" + lb.backend("be1").port();
        long started = System.currentTimeMillis();
        // a listener's first sample is its baseline: the requests go after it, so every one is in a point
        await().atMost(Duration.ofSeconds(10)).until(() -> getJson("/api/v1/history").path("listeners").size() == 1);
        try (HttpClient client = HttpClient.newHttpClient()) {
            for (int i = 0; i < 20; i++) {
                client.send(HttpRequest.newBuilder(URI.create(lb.url("web", "/"))).build(), HttpResponse.BodyHandlers.discarding());
            }
        }
        assertThat(post("/api/v1/pools/web/endpoints/" + be1 + "/drain").statusCode()).isEqualTo(200);
        // the 20 requests land in one or two samples: their rates, at one point a second, add up to about 20
        JsonNode h = await().atMost(Duration.ofSeconds(10)).until(() -> getJson("/api/v1/history"), r -> {
            JsonNode web = r.path("listeners").get(0);
            return web != null && sum(web.path("points"), 1) >= 19 && r.path("endpoints").get(0).path("states").size() == 2;
        });
        assertThat(h.path("interval_ms").asLong()).isEqualTo(1000);
        assertThat(h.path("window_ms").asLong()).isEqualTo(600_000);
        assertThat(h.path("now").asLong()).isBetween(started, System.currentTimeMillis());
        JsonNode web = h.path("listeners").get(0);
        assertThat(web.path("name").asText()).isEqualTo("web");
        assertThat(sum(web.path("points"), 1)).as("requests/s summed over seconds").isBetween(19.0, 21.0);
        assertThat(sum(web.path("points"), 2)).as("no 5xx").isZero();
        JsonNode busiest = null;
        for (JsonNode p : web.path("points")) {
            busiest = busiest == null || p.get(1).asDouble() > busiest.get(1).asDouble() ? p : busiest;
        }
        assertThat(busiest.get(3).asDouble()).as("p99 ms of the busiest second").isPositive().isLessThan(1000);
        JsonNode strip = h.path("endpoints").get(0);
        assertThat(strip.path("pool").asText()).isEqualTo("web");
        assertThat(strip.path("address").asText()).isEqualTo(be1);
        assertThat(strip.path("states").get(0).get(1).asText()).isEqualTo("healthy");
        assertThat(strip.path("states").get(1).get(1).asText()).isEqualTo("draining");
        assertThat(h.path("failovers")).as("a node outside a cluster has none").isEmpty();
    }

    private static double sum(JsonNode points, int column) {
        double sum = 0;
        for (JsonNode p : points) {
            sum += p.get(column).asDouble();
        }
        return sum;
    }

    @Test
    void drainAndEnableThroughTheApi() throws Exception {
        String be1 = "127.0.0.1:" + lb.backend("be1").port();
        HttpResponse<String> r = post("/api/v1/pools/web/endpoints/" + be1 + "/drain");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(getJson("/api/v1/status").path("pools").get(0).path("endpoints").get(0).path("state").asText()).isEqualTo("draining");
        assertThat(post("/api/v1/pools/web/endpoints/127.0.0.1:1/drain").statusCode()).isEqualTo(404);
        assertThat(post("/api/v1/pools/web/endpoints/" + be1 + "/enable").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                !getJson("/api/v1/status").path("pools").get(0).path("endpoints").get(0).path("state").asText().equals("draining"));
    }

    @Test
    void putConfigAppliesAValidOneAndRefusesAnInvalidOneWithEveryError() throws Exception {
        String current = get("/api/v1/config").body();
        assertThat(current).contains("pools").doesNotContain("node:");

        HttpResponse<String> bad = put("listeners: []\npools: { web: { balance: fastest, endpoints: [], retries: 99 } }\n");
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(json.readTree(bad.body()).path("errors").size()).isGreaterThanOrEqualTo(3);
        assertThat(getJson("/api/v1/status").path("config_version").asLong()).isEqualTo(1);

        HttpResponse<String> good = put(current.replace("zone: \"az1\"", "zone: \"az9\"").replace("zone: az1", "zone: az9"));
        assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
        assertThat(json.readTree(good.body()).path("version").asLong()).isEqualTo(2);
        assertThat(getJson("/api/v1/status").path("pools").get(0).path("endpoints").get(0).path("zone").asText()).isEqualTo("az9");
    }

    @Test
    void metricsAreInPrometheusFormat() throws Exception {
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(lb.url("web", "/"))).build(), HttpResponse.BodyHandlers.discarding());
        String metrics = get("/metrics").body();
        assertThat(metrics).contains("gatehouse_listener_requests_total{class=\"2xx\",listener=\"web\"} 1.0");
        assertThat(metrics).contains("gatehouse_upstream_latency_seconds_bucket");
        assertThat(metrics).contains("gatehouse_listener_active_connections");
        assertThat(metrics).contains("gatehouse_endpoint_state{endpoint=\"127.0.0.1:" + lb.backend("be1").port()
                + "\",pool=\"web\",state=\"healthy\"} 1.0");
        assertThat(metrics).contains("gatehouse_endpoint_active_requests{endpoint=");
        assertThat(metrics).contains("gatehouse_pool_panic{pool=\"web\"} 0.0");
        // the request took buffers from the pooled allocator: at least one chunk is held
        var direct = java.util.regex.Pattern.compile("(?m)^gatehouse_netty_direct_memory_bytes (\\S+)$").matcher(metrics);
        assertThat(direct.find()).as("gatehouse_netty_direct_memory_bytes in %s", metrics).isTrue();
        assertThat(Double.parseDouble(direct.group(1))).isGreaterThan(0);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/").body()).contains("<title>Gatehouse</title>");
    }

    @Test
    void eventsStreamHealthChanges() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        var stream = http.sendAsync(HttpRequest.newBuilder(URI.create(admin("/api/v1/events"))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        Thread reader = Thread.ofVirtual().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(stream.join().body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (Exception e) {
                // Stream closed at the end of the test.
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream().anyMatch(l -> l.equals("event: config")));
        lb.backend("be2").failHealth(true);
        await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream().anyMatch(l -> l.startsWith("data:") && l.contains("unhealthy")));
        reader.interrupt();
    }

    private String admin(String path) {
        return "http://127.0.0.1:" + lb.node.adminAddress().getPort() + path;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(admin(path))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String path) throws Exception {
        return json.readTree(get(path).body());
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(AdminTokens.withToken(HttpRequest.newBuilder(URI.create(admin(path))), AdminTokens.WRITE)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> put(String yaml) throws Exception {
        return http.send(AdminTokens.withToken(HttpRequest.newBuilder(URI.create(admin("/api/v1/config"))), AdminTokens.WRITE)
                .header("Content-Type", "application/yaml").PUT(HttpRequest.BodyPublishers.ofString(yaml)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
