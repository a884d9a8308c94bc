package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM's path: stop accepting, let in-flight work finish within the bound, then stop. */
class ShutdownTest {

    @TempDir
    Path dir;

    @Test
    void shutdownFinishesInFlightRequestsAndRefusesNewConnections() throws Exception {
        try (TestNode lb = TestNode.start(dir, 1, """
                node: { id: lb1 }
                listeners:
                  - { name: web, bind: 127.0.0.1:0, routes: [ { pool: web } ] }
                pools:
                  web: { endpoints: [ { address: "${be1}" } ] }
                """); HttpClient client = HttpClient.newHttpClient()) {
            int port = lb.listener("web").getPort();
            var slow = client.sendAsync(HttpRequest.newBuilder(URI.create(lb.url("web", "/slow?ms=700"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(5)).until(() -> lb.backend("be1").requests() == 1);
            long start = System.nanoTime();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> lb.node.shutdown(Duration.ofSeconds(10)));
            await().atMost(Duration.ofSeconds(5)).until(() -> refused(port));
            assertThat(slow.get().statusCode()).isEqualTo(200);
            stopping.join();
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(tookMs).isLessThan(5000);
        }
    }

    private static boolean refused(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
