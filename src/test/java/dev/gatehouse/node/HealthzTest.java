package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code /healthz} says whether the node can serve: 200 while every pool behind its listeners has a healthy endpoint. */
@Timeout(60)
class HealthzTest {

    @TempDir
    Path dir;

    @Test
    void answers503WithTheReasonWhileAPoolHasNoHealthyEndpoint() throws Exception {
        try (TestNode lb = TestNode.start(dir, 3, """
                node: { id: lb1, admin: 127.0.0.1:0 }
                listeners:
                  - name: web
                    bind: 127.0.0.1:0
                    routes: [ { match: { path_prefix: /api }, pool: api }, { pool: web } ]
                pools:
                  web:
                    endpoints: [ { address: "${be1}" }, { address: "${be2}" } ]
                    health: { type: http, path: /healthz, interval: 100ms, timeout: 80ms, rise: 1, fall: 1 }
                  api:
                    endpoints: [ { address: "${be3}" } ]
                    health: { type: http, path: /healthz, interval: 100ms, timeout: 80ms, rise: 1, fall: 1 }
                """);
                HttpClient http = HttpClient.newHttpClient()) {
            URI healthz = URI.create("http://127.0.0.1:" + lb.node.adminAddress().getPort() + "/healthz");
            String ok = "200 ok\n";
            String webDown = "503 not serving: pool web (listener web) has no healthy endpoint\n";
            await().atMost(Duration.ofSeconds(5)).until(() -> answer(http, healthz).equals(ok));

            lb.backend("be1").failHealth(true);
            await().atMost(Duration.ofSeconds(5)).until(() -> state(lb, "web", 0).equals("unhealthy"));
            assertThat(answer(http, healthz)).as("one of two endpoints left").isEqualTo(ok);

            lb.backend("be2").failHealth(true);
            await().atMost(Duration.ofSeconds(5)).until(() -> answer(http, healthz).equals(webDown));
            lb.backend("be1").failHealth(false);
            lb.backend("be2").failHealth(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> answer(http, healthz).equals(ok));

            lb.backend("be3").failHealth(true);
            await().atMost(Duration.ofSeconds(5)).until(() -> answer(http, healthz)
                    .equals("503 not serving: pool api (listener web) has no healthy endpoint\n"));
            lb.backend("be3").failHealth(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> answer(http, healthz).equals(ok));
        }
    }

    private static String answer(HttpClient http, URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    private static String state(TestNode lb, String pool, int endpoint) {
        return lb.node.status().pools().stream().filter(p -> p.name().equals(pool)).findFirst().orElseThrow()
                .endpoints().get(endpoint).state();
    }
}
