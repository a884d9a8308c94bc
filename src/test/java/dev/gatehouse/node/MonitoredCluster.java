package dev.gatehouse.node;

import static dev.gatehouse.node.ClusterNodes.ownedHere;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.FreePorts;
import dev.gatehouse.demo.DemoBackend;
import dev.gatehouse.time.Ticker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Two nodes and a witness on loopback, each with its admin API, serving a VIP listener over a live endpoint, a
 * listener over a dead one (not on the VIP: a node whose VIP pools are all down cannot own the VIP), and a TCP listener: after {@link #traffic} most series of {@code /metrics} exist (2xx and
 * 5xx, an unhealthy endpoint, a cluster with a VIP owner). A long lease keeps it steady on a loaded machine.
 */
final class MonitoredCluster implements AutoCloseable {

    final Node w1;
    final Node lb1;
    final Node lb2;
    final int vipPort;
    private final DemoBackend backend;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private MonitoredCluster(DemoBackend backend, int vipPort, Node w1, Node lb1, Node lb2) {
        this.backend = backend;
        this.vipPort = vipPort;
        this.w1 = w1;
        this.lb1 = lb1;
        this.lb2 = lb2;
    }

    /** @param extra appended to the shared config (e.g. an {@code alerts:} section) */
    static MonitoredCluster start(Path dir, String extra) throws Exception {
        DemoBackend backend = DemoBackend.start("127.0.0.1", 0, "be1");
        List<Node> started = new ArrayList<>();
        try {
            int vipPort = FreePorts.on("127.0.0.10");
            int deadPort = FreePorts.on("127.0.0.1");
            Files.writeString(dir.resolve("cluster.key"), "a shared secret of the test cluster, 32+ bytes long");
            String shared = """
                    listeners:
                      - { name: web, bind: "vip:front:%d", routes: [ { pool: web } ] }
                      - { name: api, bind: "127.0.0.1:0", routes: [ { pool: broken } ] }
                      - { name: db, bind: "127.0.0.1:0", protocol: tcp, pool: web }
                    pools:
                      web:
                        endpoints: [ { address: "127.0.0.1:%d" } ]
                        health: { type: http, path: /healthz, interval: 500ms, timeout: 2s }
                      broken:
                        endpoints: [ { address: "127.0.0.1:%d" } ]
                        health: { type: tcp, interval: 500ms, timeout: 1s, fall: 1 }
                        panic_threshold: 50%%
                    """.formatted(vipPort, backend.port(), deadPort) + ClusterNodes.clusterSection("127.0.0.1", "monitored", "3s", "{ enabled: true, delay: 0s }") + extra;
            for (String id : List.of("w1", "lb1", "lb2")) {
                Path file = dir.resolve(id + ".yaml");
                Files.writeString(file, "node: { id: " + id + ", admin: \"127.0.0.1:0\" }\n" + shared);
                started.add(Node.start(file, Ticker.system()));
            }
            MonitoredCluster cluster = new MonitoredCluster(backend, vipPort, started.get(0), started.get(1), started.get(2));
            await().atMost(Duration.ofSeconds(90)).until(() -> cluster.owner() != null);
            return cluster;
        } catch (Exception | Error e) {
            started.forEach(Node::close);
            backend.close();
            throw e;
        }
    }

    /** The node that serves the VIP now, by its own account, or null. */
    Node owner() {
        return ownedHere(lb1) ? lb1 : ownedHere(lb2) ? lb2 : null;
    }

    /** Sends {@code ok} requests through the VIP that succeed and {@code broken} to the owner's dead pool (5xx). */
    void traffic(int ok, int broken) throws Exception {
        var api = owner().listenerAddress("api");
        for (int i = 0; i < ok + broken; i++) {
            String url = i < ok ? "http://127.0.0.10:" + vipPort + "/" : "http://127.0.0.1:" + api.getPort() + "/";
            http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
        }
    }

    /** {@code GET /metrics} of {@code node}'s admin API. */
    String scrape(Node node) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + node.adminAddress().getHostString() + ":"
                + node.adminAddress().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Override
    public void close() {
        http.close();
        for (Node n : List.of(lb2, lb1, w1)) {
            n.close();
        }
        backend.close();
    }
}
