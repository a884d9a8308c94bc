package dev.gatehouse.node;

import dev.gatehouse.FreePorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static dev.gatehouse.node.ClusterNodes.ownedHere;

import dev.gatehouse.admin.StatusReport;
import dev.gatehouse.demo.DemoBackend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes and a witness on loopback: the VIP listener is bound on exactly one node, and moves. */
class ClusterNodeTest {

    @TempDir
    Path dir;

    @Test
    void theVipListenerRunsOnTheOwnerOnlyAndMovesOnDemoteAndShutdown() throws Exception {
        int vipPort = FreePorts.on("127.0.0.10");
        try (DemoBackend be1 = DemoBackend.start("127.0.0.1", 0, "be1"); HttpClient http = HttpClient.newHttpClient()) {
            Files.writeString(dir.resolve("cluster.key"), "a shared secret of the test cluster, 32+ bytes long");
            String shared = """
                    listeners:
                      - { name: web, bind: "vip:front:%d", routes: [ { pool: web } ] }
                    pools:
                      web:
                        endpoints: [ { address: "127.0.0.1:%d" } ]
                        health: { type: http, path: /healthz, interval: 200ms, timeout: 100ms }
                    """.formatted(vipPort, be1.port()) + ClusterNodes.clusterSection("127.0.0.1", "test-edge", "600ms", "{ enabled: true, delay: 0s }");
            try (Node w1 = ClusterNodes.start(dir, "w1", shared); Node lb1 = ClusterNodes.start(dir, "lb1", shared); Node lb2 = ClusterNodes.start(dir, "lb2", shared)) {
                // lb1 owns: at once, or after preempting lb2 if lb1's first report reached the leader late.
                await().atMost(Duration.ofSeconds(30)).until(() -> ownedHere(lb1));
                assertThat(ownedHere(lb2)).isFalse();
                assertThat(lb1.listenerAddress("web")).isEqualTo(new InetSocketAddress("127.0.0.10", vipPort));
                assertThat(lb2.listenerAddress("web")).isNull();
                assertThat(w1.status().role()).isEqualTo("witness");
                String url = "http://127.0.0.10:" + vipPort + "/";
                assertThat(http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .startsWith("hello from be1");

                assertThat(lb1.demote()).isTrue();
                // make-before-break: lb1 serves until lb2 does, then lets go
                await().atMost(Duration.ofSeconds(10)).until(() -> ownedHere(lb2) && !ownedHere(lb1));
                assertThat(lb1.listenerAddress("web")).isNull();
                StatusReport.VipStatus vip = lb2.status().cluster().vips().getFirst();
                assertThat(vip.owner()).isEqualTo("lb2");
                assertThat(vip.reason()).contains("demoted");
                assertThat(http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                        .isEqualTo(200);
                assertThat(lb2.events().recent()).anyMatch(e -> e.type().equals("failover") && e.detail().contains("lb2 acquired"));

                lb1.undemote();
                lb2.shutdown(Duration.ofSeconds(2));
                await().atMost(Duration.ofSeconds(10)).until(() -> ownedHere(lb1));
                assertThat(http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                        .isEqualTo(200);
            }
        }
    }


    @Test
    void aClusterPortInUseFailsTheNodesStartAndNotTheProcess() throws Exception {
        Files.writeString(dir.resolve("cluster.key"), "a shared secret of the test cluster, 32+ bytes long");
        String shared = "listeners: []\npools: {}\n"
                + ClusterNodes.clusterSection("127.0.0.1", "test-edge", "600ms", "{ enabled: false }");
        Matcher lb1 = Pattern.compile("id: lb1, address: \"127.0.0.1:(\\d+)\"").matcher(shared);
        assertThat(lb1.find()).isTrue();
        try (ServerSocket taken = new ServerSocket(Integer.parseInt(lb1.group(1)), 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> ClusterNodes.start(dir, "lb1", shared).close())
                    .hasStackTraceContaining("Failed to start Grpc server");
        }
    }
}
