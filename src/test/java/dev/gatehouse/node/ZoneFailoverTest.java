package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.admin.Events;
import dev.gatehouse.admin.StatusReport;
import dev.gatehouse.demo.DemoBackend;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node in az1 in front of two backends in az1 and two in az2, on loopback. Killing az1's backends under a load
 * of GETs fails no request (retries), moves the traffic to az2, and it comes back once az1's checks pass again.
 */
class ZoneFailoverTest {

    static final String CONFIG = """
            node: { id: lb1, zone: az1 }
            listeners:
              - { name: web, bind: 127.0.0.1:0, routes: [ { pool: web } ] }
            pools:
              web:
                endpoints:
                  - { address: "${be1}", zone: az1 }
                  - { address: "${be2}", zone: az1 }
                  - { address: "${be3}", zone: az2 }
                  - { address: "${be4}", zone: az2 }
                health: { type: http, path: /healthz, interval: 200ms, timeout: 100ms, rise: 2, fall: 3 }
                retries: 2
                zone_aware: { min_healthy: 60% }
            """;

    @RegisterExtension
    final TestNodes nodes = new TestNodes();

    @Test
    void killingTheLocalZoneUnderLoadFailsNothingMovesTrafficAndItComesBack() throws Exception {
        TestNode lb = nodes.start(4, CONFIG);
        assertThat(pool(lb).zoneMode()).isEqualTo("local");
        Load before = Load.run(lb.url("web", "/"), 400, 4, Duration.ofSeconds(30));
        assertThat(before.failures).isEmpty();
        assertThat(before.count("be1") + before.count("be2")).isEqualTo(400);

        Load.Running running = Load.inBackground(lb.url("web", "/"), 3000, 4, Duration.ofSeconds(60));
        Load load = running.load();
        await().atMost(Duration.ofSeconds(20)).until(() -> load.completed() >= 300);
        long killedAt = System.nanoTime();
        int[] ports = {lb.backend("be1").port(), lb.backend("be2").port()};
        lb.backend("be1").close();
        lb.backend("be2").close();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> pool(lb).zoneMode().equals("spill"));
        long spilledMs = (System.nanoTime() - killedAt) / 1_000_000;
        running.done().join();
        System.out.printf("local zone killed under load: %d requests, %d failed, spilled after %d ms; be3 %d, be4 %d%n",
                load.completed(), load.failures.size(), spilledMs, load.count("be3"), load.count("be4"));
        assertThat(load.failures).isEmpty();
        assertThat(load.completed()).isEqualTo(3000);
        assertThat(spilledMs).as("fall x interval, plus a check in flight").isLessThanOrEqualTo(600 + 300);
        assertThat(pool(lb).zones()).filteredOn(z -> z.name().equals("az1")).singleElement()
                .satisfies(z -> assertThat(z.healthy()).isZero()).satisfies(z -> assertThat(z.share()).isZero());

        Load during = Load.run(lb.url("web", "/"), 400, 4, Duration.ofSeconds(30));
        assertThat(during.failures).isEmpty();
        assertThat(during.count("be3") + during.count("be4")).isEqualTo(400);

        lb.backends.set(0, DemoBackend.start("127.0.0.1", ports[0], "be1"));
        lb.backends.set(1, DemoBackend.start("127.0.0.1", ports[1], "be2"));
        long revivedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> pool(lb).zoneMode().equals("local"));
        long backMs = (System.nanoTime() - revivedAt) / 1_000_000;
        System.out.printf("local zone back after %d ms (rise x interval = 400 ms)%n", backMs);
        assertThat(backMs).isLessThanOrEqualTo(400 + 300);
        Load after = Load.run(lb.url("web", "/"), 400, 4, Duration.ofSeconds(30));
        assertThat(after.failures).isEmpty();
        assertThat(after.count("be1") + after.count("be2")).isEqualTo(400);

        assertThat(lb.node.events().recent()).filteredOn(e -> e.type().equals("zone")).extracting(Events.Event::detail)
                .satisfiesExactly(
                        d -> assertThat(d).startsWith("local -> spill: az1 has 1/2 healthy"),
                        d -> assertThat(d).startsWith("spill -> local: az1 has 2/2 healthy"));
        String metrics = lb.node.metrics();
        assertThat(metric(metrics, "gatehouse_pool_zone_mode", "mode=\"local\",pool=\"web\"")).isEqualTo(1);
        assertThat(metric(metrics, "gatehouse_pool_zone_healthy_endpoints", "pool=\"web\",zone=\"az1\"")).isEqualTo(2);
        assertThat(metric(metrics, "gatehouse_pool_zone_share", "pool=\"web\",zone=\"az2\"")).isZero();
        assertThat(metric(metrics, "gatehouse_pool_zone_requests_total", "pool=\"web\",zone=\"az2\""))
                .isEqualTo(load.count("be3") + load.count("be4") + 400);
    }

    private static StatusReport.PoolStatus pool(TestNode lb) {
        return lb.node.status().pools().getFirst();
    }

    private static double metric(String text, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{" + Pattern.quote(labels) + "} (\\S+)$").matcher(text);
        assertThat(m.find()).as("%s{%s} in%n%s", name, labels, text).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
