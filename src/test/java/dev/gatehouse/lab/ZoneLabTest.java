package dev.gatehouse.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.Main;
import dev.gatehouse.drill.ProbeReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zone scenario on the lab: node lb1 in zone az1, two backends per zone on hosts be1 (az1) and be2 (az2),
 * each a process of its own. Both az1 backends are killed (-9) under a client's load and restarted: no request
 * fails, the zone's traffic goes to az2 while az1 is down and comes back once az1's checks pass.
 */
class ZoneLabTest {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final String URL = "http://203.0.113.11:8080/";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void killingTheLocalZoneUnderLoadFailsNoRequestAndTrafficReturnsAfterRise() throws Exception {
        Lab.assumeAvailable();
        try (Lab lab = Lab.up()) {
            Map<String, LabProcess> az1 = new LinkedHashMap<>();
            for (int port : new int[] {8080, 8081}) {
                az1.put("az1-" + port, backend(lab, "be1", port));
                backend(lab, "be2", port);
            }
            Path config = dir.resolve("lb1.yaml");
            Files.writeString(config, """
                    node: { id: lb1, zone: az1, admin: "127.0.0.1:9901" }
                    listeners:
                      - { name: web, bind: "203.0.113.11:8080", routes: [ { pool: web } ] }
                    pools:
                      web:
                        # be1 is zone az1, be2 zone az2; two backends on each
                        endpoints: [ { address: "203.0.113.21:8080", zone: az1 }, { address: "203.0.113.21:8081", zone: az1 },
                                     { address: "203.0.113.22:8080", zone: az2 }, { address: "203.0.113.22:8081", zone: az2 } ]
                        health: { type: http, path: /healthz, interval: 300ms, timeout: 1s, rise: 2, fall: 3 }
                        retries: 2
                    """);
            LabProcess node = lab.spawnJava("lb1", Main.class, "run", "-c", config.toString());
            await().atMost(STARTUP).ignoreExceptions().until(() -> mode(lab).equals("local"));

            // a long client timeout: on a loaded machine a slow answer is not a failed one
            try (LabProbe probe = new LabProbe(lab.spawnJava("client", ProbeMain.class, URL, "3000", "20", "5000"),
                    Duration.ofMillis(20))) {
                long started = probe.awaitStarted();
                await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() - started > 1_000_000_000L);
                Map<String, Long> beforeKill = requests(lab);
                long zoneEventsBefore = zoneEvents(node);
                // one of the two down is below min_healthy already: the spill is timed from the first kill
                var victims = az1.values().iterator();
                victims.next().kill9();
                LocalTime killed = LocalTime.now();
                victims.next().kill9();
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> mode(lab).equals("spill"));
                Map<String, Long> atSpill = requests(lab);

                // from before the first backend starts: its first passing check may come before the last one is up
                LocalTime revived = LocalTime.now();
                az1.replaceAll((name, dead) -> backend(lab, "be1", Integer.parseInt(name.substring(4))));
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> mode(lab).equals("local"));
                Map<String, Long> atReturn = requests(lab);
                // requests picked before the return may still be answered from az2: count only after 100 more in az1
                await().atMost(Duration.ofSeconds(60)).until(() -> requests(lab).get("az1") >= atReturn.get("az1") + 100);
                Map<String, Long> settled = requests(lab);
                await().atMost(Duration.ofSeconds(60)).until(() -> requests(lab).get("az1") >= settled.get("az1") + 100);
                Map<String, Long> atEnd = requests(lab);
                ProbeReport report = probe.stopAndReport(Duration.ofSeconds(60));
                long spillMs = eventMillisAfter(node, "zone web: local -> spill", killed);
                long backMs = eventMillisAfter(node, "zone web: spill -> local", revived);

                System.out.printf("lab: az1's backends killed under load: %s; spill %d ms after the kill (node's log); az1 local "
                                + "again %d ms after its backends began to start; requests az1/az2: before the kill %s, at the spill %s, "
                                + "at the return %s, settled %s, at the end %s%n",
                        report.summary(), spillMs, backMs, beforeKill, atSpill, atReturn, settled, atEnd);
                assertThat(report.failed()).isZero();
                assertThat(beforeKill.get("az2")).as("all in az1 while it is healthy").isZero();
                // refused connections fail checks at once: fall x interval, plus the interval the first waits
                assertThat(spillMs).as("fall x interval").isLessThanOrEqualTo(900 + 300);
                // not before the second passing check; a fresh backend JVM must first answer within the check timeout
                assertThat(backMs).as("rise x interval").isBetween(300L, 3000L);
                assertThat(zoneEvents(node) - zoneEventsBefore).as("one spill, one return: no flapping").isEqualTo(2);
                assertThat(atReturn.get("az2")).as("az2 took the traffic while az1 was down").isGreaterThan(atSpill.get("az2"));
                assertThat(atEnd.get("az2")).as("nothing new to az2 once az1 is back").isEqualTo(settled.get("az2"));
            }
        }
    }

    private static long zoneEvents(LabProcess node) {
        return node.lines().stream().filter(l -> l.contains("zone web:")).count();
    }

    /** Milliseconds from {@code from} to the first line of the node's log that contains {@code event} (its log time). */
    private static long eventMillisAfter(LabProcess node, String event, LocalTime from) {
        String line = node.lines().stream().filter(l -> l.contains(event)).reduce((a, b) -> b).orElseThrow();
        return Duration.between(from, LocalTime.parse(line.substring(0, 12))).toMillis();
    }

    private static LabProcess backend(Lab lab, String host, int port) {
        String name = host + "-" + port;
        LabProcess p = lab.spawnJava(host, Main.class, "backend", "--host", lab.address(host), "--port", Integer.toString(port),
                "--name", name);
        p.awaitLine(l -> l.startsWith("backend " + name), STARTUP);
        return p;
    }

    private static String mode(Lab lab) throws Exception {
        JsonNode status = JSON.readTree(lab.exec("lb1", "curl", "-sf", "--max-time", "2", "http://127.0.0.1:9901/api/v1/status"));
        return status.path("pools").get(0).path("zone_mode").asText();
    }

    /** gatehouse_pool_zone_requests_total of az1 and az2. */
    private static Map<String, Long> requests(Lab lab) {
        String metrics = lab.exec("lb1", "curl", "-sf", "--max-time", "10", "http://127.0.0.1:9901/metrics");
        Map<String, Long> byZone = new LinkedHashMap<>();
        for (String zone : new String[] {"az1", "az2"}) {
            Matcher m = Pattern.compile("(?m)^gatehouse_pool_zone_requests_total\\{pool=\"web\",zone=\"" + zone + "\"} (\\S+)$")
                    .matcher(metrics);
            byZone.put(zone, m.find() ? (long) Double.parseDouble(m.group(1)) : -1);
        }
        return byZone;
    }
}
