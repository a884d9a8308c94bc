package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.admin.StatusReport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What clients see when a backend dies or is drained: nothing, as long as another backend can answer. */
class BackendFailureTest {

    static final String CONFIG = """
            node: { id: lb1 }
            listeners:
              - { name: web, bind: 127.0.0.1:0, routes: [ { pool: web } ] }
            pools:
              web:
                endpoints: [ { address: "${be1}" }, { address: "${be2}" }, { address: "${be3}" } ]
                health: { type: http, path: /healthz, interval: 200ms, timeout: 100ms, rise: 2, fall: 3 }
                retries: 2
                drain_timeout: DRAIN
            """;

    @RegisterExtension
    final TestNodes nodes = new TestNodes();

    TestNode lb;

    @Test
    void killingABackendUnderLoadFailsNoRequestAndMarksItDownWithinFallTimesInterval() throws Exception {
        lb = nodes.start(3, CONFIG.replace("DRAIN", "30s"));
        String be2 = "127.0.0.1:" + lb.backend("be2").port();
        Load.Running running = Load.inBackground(lb.url("web", "/"), 3000, 4, Duration.ofSeconds(60));
        Load load = running.load();
        await().atMost(Duration.ofSeconds(20)).until(() -> load.completed() >= 500);
        long killedAt = System.nanoTime();
        lb.backend("be2").close();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> !state(be2).equals("healthy"));
        long detectedMs = (System.nanoTime() - killedAt) / 1_000_000;
        running.done().join();

        System.out.printf("backend killed under load: %d requests, %d failed, marked %s after %d ms (fall x interval = 600 ms)%n",
                load.completed(), load.failures.size(), state(be2), detectedMs);
        assertThat(load.failures).isEmpty();
        assertThat(load.completed()).isEqualTo(3000);
        assertThat(detectedMs).isLessThanOrEqualTo(600 + 150);
        assertThat(load.count("be1")).isPositive();
        assertThat(load.count("be3")).isPositive();
    }

    @Test
    void drainLetsInFlightRequestsFinishAndSendsNewOnesElsewhere() throws Exception {
        lb = nodes.start(3, CONFIG.replace("DRAIN", "30s"));
        String be1 = "127.0.0.1:" + lb.backend("be1").port();
        HttpClient client = HttpClient.newHttpClient();
        // Three slow requests: round robin puts one on each backend.
        var slow = java.util.stream.IntStream.range(0, 3).mapToObj(i -> client.sendAsync(
                HttpRequest.newBuilder(URI.create(lb.url("web", "/slow?ms=800"))).build(), HttpResponse.BodyHandlers.ofString())).toList();
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.backend("be1").requests() == 1);
        assertThat(lb.node.drain("web", be1)).isTrue();
        assertThat(state(be1)).isEqualTo("draining");

        Load during = Load.run(lb.url("web", "/"), 60, 2, Duration.ofSeconds(20));
        for (var r : slow) {
            assertThat(r.get().statusCode()).isEqualTo(200);
        }
        assertThat(during.failures).isEmpty();
        assertThat(during.count("be1")).isZero();
        assertThat(lb.backend("be1").requests()).isEqualTo(1);

        assertThat(lb.node.enable("web", be1)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> !state(be1).equals("draining"));
        client.close();
    }

    @Test
    void drainTimeoutClosesWhatIsStillInFlight() throws Exception {
        lb = nodes.start(1, """
                node: { id: lb1 }
                listeners:
                  - { name: web, bind: 127.0.0.1:0, routes: [ { pool: web } ] }
                pools:
                  web: { endpoints: [ { address: "${be1}" } ], drain_timeout: 300ms }
                """);
        HttpClient client = HttpClient.newHttpClient();
        var post = client.sendAsync(HttpRequest.newBuilder(URI.create(lb.url("web", "/slow?ms=5000")))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.backend("be1").requests() == 1);
        long drainedAt = System.nanoTime();
        lb.node.drain("web", "127.0.0.1:" + lb.backend("be1").port());
        int status = post.handle((r, e) -> e == null ? r.statusCode() : -1).get();
        long tookMs = (System.nanoTime() - drainedAt) / 1_000_000;
        assertThat(status).isNotEqualTo(200);
        assertThat(tookMs).isBetween(250L, 3000L);
        client.close();
    }

    private String state(String address) {
        StatusReport s = lb.node.status();
        return s.pools().getFirst().endpoints().stream().filter(e -> e.address().equals(address)).findFirst().orElseThrow().state();
    }
}
