package dev.gatehouse.node;

import dev.gatehouse.FreePorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.admin.Events;
import dev.gatehouse.demo.DemoBackend;
import dev.gatehouse.time.Ticker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes and a witness in this JVM, each with its own config file and admin API: a config PUT on one node runs
 * on the other; a bad one runs nowhere; a node restarted on an old file runs the current config before it may own
 * the VIP.
 */
class ReplicatedConfigTest {

    @TempDir
    Path dir;

    private final List<DemoBackend> backends = new ArrayList<>();
    private final List<Node> running = new ArrayList<>();
    private Node w1;
    private Node lb1;
    private Node lb2;
    private final HttpClient http = HttpClient.newHttpClient();
    private String cluster;
    private int vipPort;

    @BeforeEach
    void backendsAndCluster() throws IOException {
        for (String name : List.of("be1", "be2", "be3")) {
            backends.add(DemoBackend.start("127.0.0.1", 0, name));
        }
        Files.writeString(dir.resolve("cluster.key"), "a shared secret of the test cluster, 32+ bytes long");
        AdminTokens.write(dir);
        vipPort = FreePorts.on("127.0.0.10");
        // members on an address of their own, so no port-0 socket of this or another test takes a member's port
        String host = "127.88." + (1 + (int) (Math.random() * 250)) + "." + (1 + (int) (Math.random() * 250));
        cluster = ClusterNodes.clusterSection(host, "test-edge", "600ms", "{ enabled: true, delay: 0s }");
    }

    @AfterEach
    void stop() {
        running.forEach(Node::close);
        backends.forEach(DemoBackend::close);
        http.close();
    }

    /** The cluster-wide config: a listener on every node (port 0) and one on the VIP, both to pool web. */
    private String shared(String... webBackends) {
        return sharedTo(Stream.of(webBackends).map(name -> "127.0.0.1:" + backend(name).port()).toArray(String[]::new));
    }

    private String sharedTo(String... addresses) {
        String endpoints = String.join(", ", Stream.of(addresses).map(a -> "{ address: \"" + a + "\" }").toList());
        return """
                listeners:
                  - { name: web, bind: "127.0.0.1:0", routes: [ { pool: web } ] }
                  - { name: front, bind: "vip:front:%d", routes: [ { pool: web } ] }
                pools:
                  web: { endpoints: [ %s ] }
                """.formatted(vipPort, endpoints) + cluster;
    }

    @Test
    void aPutOnLb1RunsOnLb2WithinASecond() throws Exception {
        startAllOnBe1();
        assertThat(get(lb2, "web")).startsWith("hello from be1");

        // maglev on a header: with the same replicated pool, every node picks the same backend for a user
        String hashed = shared("be1", "be2", "be3").replace("web: { endpoints:", "web: { balance: maglev, hash_on: \"header:X-User\", endpoints:");
        Instant before = Instant.now();
        long start = System.nanoTime();
        HttpResponse<String> put = put(lb1, hashed);
        long putMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(put.body()).contains("\"version\":2");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1)).until(() -> lb2.snapshot().version() == 2);
        long seenMillis = (System.nanoTime() - start) / 1_000_000;
        Instant appliedOnLb2 = configEvent(lb2, 2).at();
        long appliedMillis = Duration.between(before, appliedOnLb2).toMillis();
        System.out.printf("config PUT on lb1 -> running on lb2: %d ms (lb2's event), seen by polling after %d ms; "
                + "PUT answered after %d ms%n", appliedMillis, seenMillis, putMillis);
        assertThat(appliedMillis).isLessThan(1000);

        assertThat(lb2.snapshot().hash()).isEqualTo(lb1.snapshot().hash()).isEqualTo(w1.snapshot().hash());
        List<String> picks = new ArrayList<>();
        for (int user = 0; user < 30; user++) {
            String onLb1 = backendFor(lb1, "user-" + user);
            assertThat(backendFor(lb2, "user-" + user)).isEqualTo(onLb1);
            picks.add(onLb1);
        }
        assertThat(picks).as("the users spread over the pool").contains("be1", "be2", "be3");
        assertThat(configYaml(lb2)).isEqualTo(hashed);
        var status = lb2.status();
        assertThat(status.cluster().configVersion()).isEqualTo(2);
        assertThat(status.cluster().configCurrent()).isTrue();
        assertThat(lb2.metrics()).contains("gatehouse_config_version{hash=\"current\"} 2.0")
                .contains("gatehouse_config_current 1.0").contains("gatehouse_config_changes_total{outcome=\"applied\"} 2.0");
    }

    @Test
    void aBadConfigIsRefusedOnEveryNodeAndChangesNothing() throws Exception {
        startAllOnBe1();
        String hash = lb1.snapshot().hash();

        HttpResponse<String> invalid = put(lb2, shared("be2").replace("{ pool: web }", "{ pool: nowhere }"));
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(invalid.body()).contains("PUT /api/v1/config:2 listeners[0].routes[0].pool").contains("nowhere");
        HttpResponse<String> membership = put(lb1, shared("be2").replace("priority: 150", "priority: 200"));
        assertThat(membership.statusCode()).isEqualTo(422);
        assertThat(membership.body()).contains("cluster");
        // the file route refuses the same way
        Files.writeString(dir.resolve("lb2.yaml"), nodeSection("lb2") + shared("be2").replace("endpoints: [", "balance: fastest, endpoints: ["));
        assertThat(lb2.reloadFile()).singleElement().asString().contains("pools.web.balance");

        for (Node n : List.of(w1, lb1, lb2)) {
            assertThat(n.snapshot().version()).isEqualTo(1);
            assertThat(n.snapshot().hash()).isEqualTo(hash);
            assertThat(n.status().cluster().configVersion()).isEqualTo(1);
            assertThat(n.events().recent()).noneMatch(e -> e.type().equals("config") && e.subject().equals("version 2"));
        }
        assertThat(get(lb2, "web")).startsWith("hello from be1");
    }

    @Test
    void aNodeRestartedOnAnOldFileRunsTheCurrentConfigBeforeItMayOwnTheVip() throws Exception {
        startAllOnBe1();
        assertThat(put(lb1, shared("be2")).statusCode()).isEqualTo(200);
        awaitAllRun(2, lb2);

        lb2.close();
        running.remove(lb2);
        assertThat(put(lb1, shared("be3")).statusCode()).isEqualTo(200); // lb1 and w1 are a majority
        assertThat(lb1.demote()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> lb1.status().cluster().vips().getFirst().owner() == null);

        // lb2 comes back on its old file (be1 only), into a cluster at version 3 where nobody else may take the VIP
        Node back = start("lb2", shared("be1"));
        await().atMost(Duration.ofSeconds(30)).until(() -> back.status().cluster().vips().getFirst().ownedHere());
        assertThat(back.snapshot().version()).isEqualTo(3);
        assertThat(back.snapshot().hash()).isEqualTo(lb1.snapshot().hash());
        List<Events.Event> events = back.events().recent();
        long applied = configEvent(back, 3).seq();
        long acquired = events.stream().filter(e -> e.type().equals("failover") && e.detail().contains("lb2 acquired"))
                .findFirst().orElseThrow().seq();
        assertThat(applied).as("config v3 applied before the VIP was acquired").isLessThan(acquired);
        String url = "http://127.0.0.10:" + vipPort + "/";
        assertThat(http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body())
                .startsWith("hello from be3");
        assertThat(get(back, "web")).startsWith("hello from be3");
    }

    @Test
    void aNodeThatCannotBindTheNewConfigRefusesItThereAndCannotServeUntilALaterOneApplies() throws Exception {
        startAllOnBe1();
        // both nodes run in this JVM on one address: only the first to apply can bind the new listener
        String extra = shared("be2").replace("pools:", "  - { name: extra, bind: \"127.0.0.1:" + FreePorts.on("127.0.0.1")
                + "\", routes: [ { pool: web } ] }\npools:");
        put(lb1, extra);
        await().atMost(Duration.ofSeconds(30)).until(() -> Stream.of(lb1, lb2).anyMatch(n -> refused(n, 2))
                && Stream.of(lb1, lb2).anyMatch(n -> n.snapshot().version() == 2));
        Node refusing = refused(lb1, 2) ? lb1 : lb2;
        Node other = refusing == lb1 ? lb2 : lb1;
        assertThat(refusing.snapshot().version()).isEqualTo(1);
        assertThat(get(refusing, "web")).startsWith("hello from be1");
        assertThat(refusing.listenerAddress("extra")).isNull();
        assertThat(other.listenerAddress("extra")).isNotNull();
        String id = refusing.status().node();
        await().atMost(Duration.ofSeconds(30)).until(() -> !other.status().cluster().members().stream()
                .filter(m -> m.id().equals(id)).findFirst().orElseThrow().canServe());
        assertThat(refusing.status().cluster().configCurrent()).isFalse();
        assertThat(refusing.metrics()).contains("gatehouse_config_changes_total{outcome=\"refused\"} 1.0");

        assertThat(put(other, shared("be3")).statusCode()).isEqualTo(200);
        awaitAllRun(3, w1, lb1, lb2);
        await().atMost(Duration.ofSeconds(30)).until(() -> other.status().cluster().members().stream()
                .allMatch(m -> m.role().equals("witness") || m.canServe()));
        assertThat(get(refusing, "web")).startsWith("hello from be3");
    }

    @Test
    void aCanaryIsPromotedWhenItsErrorsStayLowAndRolledBackWhenNot() throws Exception {
        startAllOnBe1();

        HttpResponse<String> good = putCanary(lb1, shared("be2"), "lb2");
        assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
        assertThat(good.body()).contains("\"version\":2");
        await().atMost(Duration.ofSeconds(30)).until(() -> lb2.snapshot().version() == 2);
        assertThat(lb1.snapshot().version()).isEqualTo(1);
        assertThat(lb1.status().cluster().canary()).isEqualTo("version 2 on lb2");
        // traffic on the canary until the verdict: all of it answered by the new pool
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            assertThat(get(lb2, "web")).startsWith("hello from be2");
            return lb1.snapshot().version() == 2;
        });
        awaitAllRun(2, w1, lb1, lb2);
        assertThat(lb1.events().recent()).anyMatch(e -> e.subject().equals("version 2")
                && e.detail().matches("canary on lb2 promoted: 0 of [1-9][0-9]* requests on lb2 were 5xx .*"));
        assertThat(get(lb1, "web")).startsWith("hello from be2");

        String dead = "127.0.0.1:" + FreePorts.on("127.0.0.1");
        HttpResponse<String> bad = putCanary(lb2, sharedTo(dead), "lb2");
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(200);
        assertThat(lb2.snapshot().version()).isEqualTo(3); // the canary's own node answers once it runs it
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            get(lb2, "web");
            return lb2.snapshot().version() == 2;
        });
        assertThat(get(lb2, "web")).startsWith("hello from be2");
        assertThat(lb2.events().recent()).anyMatch(e -> e.subject().equals("version 3")
                && e.detail().matches("canary on lb2 rolled back: ([1-9][0-9]*) of \\1 requests on lb2 were 5xx .*"));
        assertThat(lb1.events().recent()).noneMatch(e -> e.subject().equals("version 3") && e.detail().startsWith("applied"));
        assertThat(lb1.status().cluster().configVersion()).isEqualTo(2);
        assertThat(lb1.status().cluster().canary()).isNull();
        assertThat(lb2.metrics()).contains("gatehouse_config_canaries_total{outcome=\"rolled_back\"} 1.0")
                .contains("gatehouse_config_canaries_total{outcome=\"promoted\"} 1.0");
        // the rolled-back version is not handed out again
        assertThat(put(lb1, shared("be3")).body()).contains("\"version\":4");

        // a canary its node cannot run is rolled back at once, and the node serves again
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String unbindable = shared("be1").replace("pools:", "  - { name: extra, bind: \"127.0.0.1:" + taken.getLocalPort()
                    + "\", routes: [ { pool: web } ] }\npools:");
            putCanary(lb1, unbindable, "lb2");
            await().atMost(Duration.ofSeconds(30)).until(() -> lb1.events().recent().stream().anyMatch(e -> e.subject().equals("version 5")
                    && e.detail().startsWith("canary on lb2 rolled back: refused on lb2")));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> lb1.status().cluster().members().stream()
                .filter(m -> m.id().equals("lb2")).findFirst().orElseThrow().canServe());
        assertThat(lb2.snapshot().version()).isEqualTo(4);
        assertThat(lb2.status().cluster().configCurrent()).isTrue();
        assertThat(get(lb2, "web")).startsWith("hello from be3");
    }

    private HttpResponse<String> putCanary(Node node, String yaml, String member) throws Exception {
        var request = AdminTokens.withToken(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminAddress().getPort()
                        + "/api/v1/config?canary=" + member + "&watch=5s&max_error_rate=5%25")), AdminTokens.WRITE)
                .header("Content-Type", "application/yaml").PUT(HttpRequest.BodyPublishers.ofString(yaml)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static boolean refused(Node node, long version) {
        return node.events().recent().stream().anyMatch(e -> e.type().equals("config")
                && e.subject().equals("version " + version) && e.detail().startsWith("refused"));
    }

    private Node start(String id, String shared) throws Exception {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(file, nodeSection(id) + shared);
        Node node = Node.start(file, Ticker.system());
        running.add(node);
        return node;
    }

    private static String nodeSection(String id) {
        return "node: { id: " + id + ", admin: " + AdminTokens.LONG_FORM + " }\n";
    }

    /** The witness and both nodes, each started on a file naming be1, all running the seeded version 1. */
    private void startAllOnBe1() throws Exception {
        w1 = start("w1", shared("be1"));
        lb1 = start("lb1", shared("be1"));
        lb2 = start("lb2", shared("be1"));
        awaitAllRun(1, w1, lb1, lb2);
    }

    private static void awaitAllRun(long version, Node... nodes) {
        await().atMost(Duration.ofSeconds(30)).until(() -> Stream.of(nodes).allMatch(n -> n.snapshot().version() == version
                && n.status().cluster().configCurrent()));
    }

    /** The event of {@code node} applying {@code version}; published just after the node switched to it. */
    private static Events.Event configEvent(Node node, long version) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> node.events().recent().stream()
                .filter(e -> e.type().equals("config") && e.subject().equals("version " + version) && e.detail().startsWith("applied"))
                .findFirst(), java.util.Optional::isPresent).orElseThrow();
    }

    private HttpResponse<String> put(Node node, String yaml) throws Exception {
        var request = AdminTokens.withToken(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminAddress().getPort()
                        + "/api/v1/config")), AdminTokens.WRITE).header("Content-Type", "application/yaml").PUT(HttpRequest.BodyPublishers.ofString(yaml)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private String configYaml(Node node) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminAddress().getPort() + "/api/v1/config")).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The backend that answers {@code user} through {@code node}'s web listener. */
    private String backendFor(Node node, String user) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.listenerAddress("web").getPort() + "/"))
                .header("X-User", user).build();
        String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        return body.substring("hello from ".length(), body.indexOf(' ', "hello from ".length()));
    }

    private String get(Node node, String listener) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.listenerAddress(listener).getPort() + "/")).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    private DemoBackend backend(String name) {
        return backends.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }

}
