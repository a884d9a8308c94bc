package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reloads: applied whole without dropping a request, or refused whole without changing anything. */
class ReloadTest {

    static final String TWO = """
            node: { id: lb1 }
            listeners:
              - { name: web, bind: 127.0.0.1:0, routes: [ { pool: web } ] }
            pools:
              web: { endpoints: [ { address: "${be1}" }, { address: "${be2}" } ] }
            """;

    static final String THREE = TWO.replace("{ address: \"${be2}\" } ]", "{ address: \"${be2}\" }, { address: \"${be3}\" } ]");

    @RegisterExtension
    final TestNodes nodes = new TestNodes();

    TestNode lb;

    @Test
    void reloadsUnderLoadDropNoRequest() throws Exception {
        lb = nodes.start(3, TWO);
        Load.Running running = Load.inBackground(lb.url("web", "/"), 4000, 4, Duration.ofSeconds(60));
        Load load = running.load();
        for (int i = 0; i < 6; i++) {
            int atLeast = 300 * (i + 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> load.completed() >= atLeast);
            lb.rewrite(i % 2 == 0 ? THREE : TWO);
            assertThat(lb.node.reloadFile()).isEmpty();
        }
        lb.rewrite(THREE);
        assertThat(lb.node.reloadFile()).isEmpty();
        long be3Before = lb.backend("be3").requests();
        running.done().join();
        System.out.printf("7 reloads under load: %d requests, %d failed%n", load.completed(), load.failures.size());
        assertThat(load.failures).isEmpty();
        assertThat(load.completed()).isEqualTo(4000);
        assertThat(lb.node.snapshot().version()).isEqualTo(8);
        // the load may have ended before the last reload took effect: requests after it must reach be3 again
        Load.Running after = Load.inBackground(lb.url("web", "/"), 30, 1, Duration.ofSeconds(20));
        after.done().join();
        assertThat(after.load().failures).isEmpty();
        assertThat(lb.backend("be3").requests()).isGreaterThan(be3Before);
    }

    @Test
    void aBadReloadChangesNothing() throws Exception {
        lb = nodes.start(3, TWO);
        var before = lb.node.snapshot();
        lb.rewrite(THREE.replace("routes: [ { pool: web } ]", "routes: [ { pool: nowhere } ]"));
        List<String> errors = lb.node.reloadFile();
        assertThat(errors).singleElement().satisfies(e -> assertThat(e)
                .startsWith(lb.configFile + ":3 ").contains("listeners[0].routes[0].pool").contains("nowhere"));
        assertThat(lb.node.snapshot()).isSameAs(before);

        List<String> putErrors = lb.node.replaceConfig("listeners: []\npools: { web: { balance: fastest, endpoints: [] } }\n");
        assertThat(putErrors).hasSizeGreaterThanOrEqualTo(2);
        assertThat(lb.node.snapshot()).isSameAs(before);

        Load load = Load.run(lb.url("web", "/"), 40, 1, Duration.ofSeconds(20));
        assertThat(load.failures).isEmpty();
        assertThat(load.count("be1")).isEqualTo(20);
        assertThat(load.count("be2")).isEqualTo(20);
        assertThat(load.count("be3")).isZero();
    }

    @Test
    void aReloadThatCannotBindChangesNothing() throws Exception {
        lb = nodes.start(2, TWO);
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String moved = TWO.replace("pools:", "  - { name: other, bind: 127.0.0.1:" + taken.getLocalPort()
                    + ", routes: [ { pool: web } ] }\npools:");
            lb.rewrite(moved);
            var before = lb.node.snapshot();
            assertThat(lb.node.reloadFile()).singleElement().asString().contains("could not apply");
            assertThat(lb.node.snapshot()).isSameAs(before);
            assertThat(lb.node.listenerAddress("other")).isNull();
        }
        assertThat(Load.run(lb.url("web", "/"), 10, 1, Duration.ofSeconds(10)).failures).isEmpty();
    }
}
