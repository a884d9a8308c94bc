package dev.gatehouse.node;

import dev.gatehouse.FreePorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand sticky clients through the VIP on its owner; the pool grows by one backend (pure hashing would move
 * about a quarter of them), the owner goes away, and the clients reach its peer through the VIP: they land where
 * they were. The owner, restarted, gets the table back.
 */
class StickyFailoverTest {

    private static final int CLIENTS = 1000;
    private static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void stickyClientsKeepTheirBackendAcrossAReloadAFailoverAndARestart() throws Exception {
        int webPort = FreePorts.on("127.0.0.10");
        int plainPort = FreePorts.on("127.0.0.10");
        List<DemoBackend> backends = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            backends.add(DemoBackend.start("127.0.0.1", 0, "be" + i));
        }
        Files.writeString(dir.resolve("cluster.key"), "a shared secret of the test cluster, 32+ bytes long");
        String cluster = ClusterNodes.clusterSection("127.0.0.1", "sticky-edge", "600ms", "{ enabled: false }");
        Map<String, Node> nodes = new LinkedHashMap<>();
        try (HttpClient before = HttpClient.newHttpClient(); HttpClient after = HttpClient.newHttpClient()) {
            for (String id : List.of("w1", "lb1", "lb2")) {
                nodes.put(id, start(id, config(webPort, plainPort, 3, backends) + cluster));
            }
            // lb1 should win, but on a busy machine lb2 may be first; preemption is off, so it keeps the VIP
            String owner = await().atMost(START).until(() -> ownerOf(nodes), Objects::nonNull);
            String peer = owner.equals("lb1") ? "lb2" : "lb1";
            // the owner times its lease renewals, so an operator sees how close it comes to losing the lease
            await().atMost(START).until(() -> metric(nodes.get(owner),
                    "gatehouse_cluster_lease_renewal_seconds_count\\{outcome=\"committed\",vip=\"front\",?\\}") != null);
            String[] sticky = backends(before, webPort);
            String[] hashed = backends(before, plainPort);
            // the VIP may move between busy nodes: whichever serves next must hold the entries already
            await().atMost(START).untilAsserted(() -> assertThat(List.of(stickEntries(nodes.get("lb1")),
                    stickEntries(nodes.get("lb2")))).as("entries on lb1, lb2").allMatch(n -> n >= CLIENTS));

            // one more backend: the table keeps every client where it was, through the reload of each node
            for (String id : List.of("lb1", "lb2")) {
                Files.writeString(dir.resolve(id + ".yaml"), "node: { id: " + id + " }\n"
                        + config(webPort, plainPort, 4, backends) + cluster);
                assertThat(nodes.get(id).reloadFile()).isEmpty();
            }
            double keptAfterReload = same(sticky, backends(before, webPort));
            double hashKept = same(hashed, backends(before, plainPort));
            System.out.printf("after adding be4: %.1f%% of sticky clients kept their backend (pure maglev: %.1f%%)%n",
                    keptAfterReload * 100, hashKept * 100);
            assertThat(keptAfterReload).isEqualTo(1.0);
            assertThat(hashKept).as("pure hashing moves some, so the table is what keeps them").isLessThan(0.95);

            Node survivor = nodes.get(peer);
            System.out.printf("%s holds %d entries, %s bytes; replication lag %s s; updates dropped on %s: %s%n", peer,
                    stickEntries(survivor), metric(survivor, "gatehouse_stick_bytes\\{pool=\"web\",?\\}"),
                    metric(survivor, "gatehouse_stick_replication_lag_seconds"), owner,
                    metric(nodes.get(owner), "gatehouse_stick_dropped_total\\{pool=\"web\",?\\}"));

            nodes.remove(owner).close(); // the owner goes away: the VIP moves to its peer
            await().atMost(START).until(() -> ownedHere(survivor));
            double keptAfterFailover = same(sticky, backends(after, webPort));
            System.out.printf("after failover %s -> %s: %.1f%% of %d sticky clients reached the same backend%n",
                    owner, peer, keptAfterFailover * 100, CLIENTS);
            assertThat(keptAfterFailover).isGreaterThanOrEqualTo(0.99);

            Node again = start(owner, config(webPort, plainPort, 4, backends) + cluster);
            nodes.put(owner, again);
            long restarted = System.nanoTime();
            await().atMost(START).untilAsserted(() -> assertThat(stickEntries(again)).isGreaterThanOrEqualTo(CLIENTS));
            System.out.printf("restarted %s holds the %d entries again after %d ms%n", owner, stickEntries(again),
                    (System.nanoTime() - restarted) / 1_000_000);
        } finally {
            nodes.values().forEach(Node::close);
            backends.forEach(DemoBackend::close);
        }
    }

    private static String ownerOf(Map<String, Node> nodes) {
        return nodes.entrySet().stream().filter(e -> !e.getKey().equals("w1") && ownedHere(e.getValue()))
                .map(Map.Entry::getKey).findFirst().orElse(null);
    }

    private static String config(int webPort, int plainPort, int backendCount, List<DemoBackend> backends) {
        StringBuilder endpoints = new StringBuilder();
        for (int i = 0; i < backendCount; i++) {
            endpoints.append(i == 0 ? "" : ", ").append("{ address: \"127.0.0.1:").append(backends.get(i).port()).append("\" }");
        }
        return """
                listeners:
                  - { name: web, bind: "vip:front:%d", routes: [ { pool: web } ] }
                  - { name: plain, bind: "vip:front:%d", routes: [ { pool: plain } ] }
                pools:
                  web:
                    balance: maglev
                    hash_on: header:X-Client
                    stick: { expire: 30m, size: 10000 }
                    endpoints: [ %s ]
                  plain:
                    balance: maglev
                    hash_on: header:X-Client
                    endpoints: [ %s ]
                """.formatted(webPort, plainPort, endpoints, endpoints);
    }

    private Node start(String id, String shared) throws Exception {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(file, "node: { id: " + id + " }\n" + shared);
        return Node.start(file, Ticker.system());
    }

    /**
     * The backend each client reaches through the VIP on {@code port}. A request that finds no listener (the VIP
     * moving between the nodes of a busy test machine) is tried again: what counts here is where clients land.
     */
    private static String[] backends(HttpClient http, int port) throws Exception {
        String[] seen = new String[CLIENTS];
        URI uri = URI.create("http://127.0.0.10:" + port + "/");
        try (ExecutorService clients = Executors.newFixedThreadPool(16)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int client = i;
                HttpRequest request = HttpRequest.newBuilder(uri).header("X-Client", "client-" + i).build();
                done.add(clients.submit(() -> seen[client] = await().atMost(START).pollInterval(Duration.ofMillis(50))
                        .ignoreExceptions()
                        .until(() -> backend(http.send(request, HttpResponse.BodyHandlers.discarding())), Objects::nonNull)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        return seen;
    }

    private static String backend(HttpResponse<?> response) {
        return response.statusCode() == 200 ? response.headers().firstValue("X-Backend").orElse(null) : null;
    }

    private static double same(String[] a, String[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i].equals(b[i])) {
                same++;
            }
        }
        return (double) same / a.length;
    }

    private static long stickEntries(Node node) {
        String value = metric(node, "gatehouse_stick_entries\\{pool=\"web\",?\\}");
        return value == null ? 0 : (long) Double.parseDouble(value);
    }

    private static String metric(Node node, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(node.metrics());
        return m.find() ? m.group(1) : null;
    }

    private static boolean ownedHere(Node node) {
        return node.status().cluster().vips().getFirst().ownedHere();
    }

}
