package dev.gatehouse.bfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.Main;
import dev.gatehouse.Tools;
import dev.gatehouse.lab.LabProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * BFD beside BGP end to end, against a real BIRD 2 one hop away (two namespaces of {@link NamespacePair}): a
 * Gatehouse node ({@code gatehouse run} in its own JVM, with a backend JVM beside it) announces a VIP over BGP to
 * BIRD, which installs it in its namespace's FIB. With {@code bfd: { interval: 100ms, multiplier: 3 }} on our side
 * and {@code bfd on} in BIRD's bgp protocol:
 * <ul>
 *   <li>the node frozen (SIGSTOP of its JVM): BIRD's BFD declares it down after 3 × 100 ms, BIRD ends the BGP
 *       session and the route leaves the router's FIB; resumed, the node announces again;
 *   <li>BIRD frozen: the node's BFD declares it down and the node ends its BGP session at once (Cease, BFD Down),
 *       which status, the log and a metric say.
 * </ul>
 * Without BFD (hold time 3 s), BIRD's hold timer ends the session, and BIRD drops the route one more hold time
 * later (see the test). Needs root, bird2 and curl.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BgpBfdLabTest {

    private static final String VIP = "198.51.100.10";
    private static final String NODE = NamespacePair.GATEHOUSE_ADDRESS;
    private static final Duration STARTUP = Duration.ofSeconds(120);
    /** 3 × 100 ms detection, plus what a poll (one `ip route` process) and BIRD's FIB update take on this machine. */
    private static final long BFD_BOUND_MILLIS = 400;

    @Test
    void withBfdAFrozenNodesRouteLeavesTheRouterInTheDetectionTimeAndAFrozenRouterEndsTheSession() throws Exception {
        try (NamespacePair lab = NamespacePair.up()) {
            Setup setup = start(lab, true);
            try {
                await().atMost(STARTUP).pollInterval(Duration.ofMillis(200))
                        .until(() -> setup.bird.birdc("show", "bfd", "sessions").contains(" Up "));
                await().atMost(Duration.ofSeconds(10)).until(() -> status(lab).contains("\"bfd\":\"up\""));
                System.out.println("lab bgp+bfd: BIRD's BFD:\n" + setup.bird.birdc("show", "bfd", "sessions"));

                long goneMs = frozenNodeRouteGone(lab, setup.node);
                System.out.printf("lab bgp+bfd: node JVM frozen (SIGSTOP): the VIP left the router's FIB after %d ms"
                        + " (BFD 100 ms x 3; hold time 9 s)%n", goneMs);
                assertThat(goneMs).isLessThanOrEqualTo(BFD_BOUND_MILLIS);
                long backMs = routeBack(lab);
                System.out.printf("lab bgp+bfd: node resumed (SIGCONT): the VIP back in the router's FIB after %d ms%n",
                        backMs);

                // The router frozen: our BFD notices, our BGP session ends at once with Cease/BFD Down.
                await().atMost(Duration.ofSeconds(30)).until(() -> status(lab).contains("\"state\":\"Established\"")
                        && status(lab).contains("\"bfd\":\"up\""));
                long teardownsBefore = teardowns(setup.node).size();
                Signals.stop(setup.bird.pid());
                LocalTime stopped = LocalTime.now();
                String frozenStatus;
                String teardown;
                try {
                    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                            .until(() -> teardowns(setup.node).size() > teardownsBefore);
                    teardown = teardowns(setup.node).get((int) teardownsBefore);
                    frozenStatus = status(lab);
                } finally {
                    Signals.resume(setup.bird.pid());
                }
                // the node's log stamps the teardown to the millisecond, on the same clock
                long downMs = Duration.between(stopped, LocalTime.parse(teardown.substring(0, 12))).toMillis();
                System.out.printf("lab bgp+bfd: BIRD frozen (SIGSTOP): the node ended its BGP session (Cease, BFD Down)"
                        + " after %d ms (BFD 100 ms x 3)%n", downMs);
                assertThat(downMs).isLessThanOrEqualTo(BFD_BOUND_MILLIS);
                assertThat(frozenStatus).contains("\"bfd\":\"down\"", "BFD down (control detection time expired)");
                // The session comes back. Resumed, BIRD either reads our NOTIFICATION first (2.0.12 logs "Received:
                // Unknown error 6.10": no name for RFC 9384's subcode) or its own BFD timer fires first; both seen.
                routeBack(lab);
                System.out.println("lab bgp+bfd: BIRD read the Cease/BFD Down: "
                        + setup.bird.log().contains("Received: Unknown error 6.10"));
                String metrics = NamespacePair.run("ip", "netns", "exec", lab.gatehouse, "curl", "-s", "http://127.0.0.1:9901/metrics");
                assertThat(metrics.lines().filter(l -> l.startsWith("gatehouse_bgp_bfd_teardowns_total"))).isNotEmpty();
            } finally {
                setup.printLogs();
            }
        }
    }

    @Test
    void withoutBfdTheHoldTimerBoundsAFrozenNode() throws Exception {
        try (NamespacePair lab = NamespacePair.up()) {
            Setup setup = start(lab, false);
            try {
                long goneMs = frozenNodeRouteGone(lab, setup.node);
                System.out.printf("lab bgp, no bfd: node JVM frozen (SIGSTOP): the VIP left the router's FIB after %d ms"
                        + " (hold time 3 s)%n", goneMs);
                // Keepalives every second: BIRD's hold timer fires 2.25-3 s after the node fell silent (RFC 4271's
                // jitter). But BIRD keeps the routes while its session is stopping, until the peer closes the TCP
                // connection (a frozen node never does) or one more hold time passes: measured 5.2-5.6 s in all.
                assertThat(setup.bird.log()).contains("Error: Hold timer expired");
                assertThat(goneMs).isBetween(2000L, 2 * 3000L + BFD_BOUND_MILLIS);
                routeBack(lab);
            } finally {
                setup.printLogs();
            }
        }
    }

    /** BIRD and the node, the VIP announced and in the router's FIB. */
    private record Setup(BirdControl bird, LabProcess node, LabProcess witness) {
        void printLogs() {
            node.lines().stream().filter(l -> l.matches("(?i).*(bgp|bfd|vip|cluster|error|warn).*"))
                    .forEach(l -> System.out.println("node: " + l));
            witness.lines().stream().filter(l -> l.matches("(?i).*(cluster|error|warn).*"))
                    .forEach(l -> System.out.println("witness: " + l));
            System.out.println("bird log:\n" + bird.log());
        }
    }

    private static Setup start(NamespacePair lab, boolean bfd) throws Exception {
        Tools.require("bird", "bird2");
        Tools.require("curl", "curl");
        Path config = lab.write("bird.conf", birdConfig(bfd));
        Path socket = lab.dir.resolve("bird.ctl");
        LabProcess birdProcess = lab.spawn(lab.router, "bird", List.of("bird", "-f", "-c", config.toString(), "-s",
                socket.toString(), "-P", lab.dir.resolve("bird.pid").toString()));
        BirdControl bird = new BirdControl(lab, birdProcess, socket);
        lab.write("cluster.key", "the bfd lab's cluster secret, long enough");
        Path nodeConfig = lab.write("lb1.yaml", nodeConfig("lb1", bfd));
        // a cluster has two members at least: a witness (no VIPs, no BGP) beside the node
        LabProcess witness = lab.spawnJava("witness", "-Xmx64m", Main.class, "run", "-c", lab.write("w1.yaml", nodeConfig("w1", false)).toString());
        lab.spawnJava("backend", "-Xmx64m", Main.class, "backend", "--host", NODE, "--port", "8080", "--name", "be1")
                .awaitLine(l -> l.startsWith("backend be1"), STARTUP);
        LabProcess node = lab.spawnJava("lb1", "-Xmx128m", Main.class, "run", "-c", nodeConfig.toString());
        Setup setup = new Setup(bird, node, witness);
        try {
            await().atMost(STARTUP).pollInterval(Duration.ofMillis(200))
                    .failFast("the node exited: " + node.lines(), () -> !node.isAlive())
                    .until(() -> NODE.equals(nextHop(lab)));
        } catch (RuntimeException | AssertionError e) {
            setup.printLogs();
            throw e;
        }
        System.out.println("lab bgp: the router's route: " + NamespacePair.run("ip", "-n", lab.router, "route", "show", VIP));
        return setup;
    }

    /**
     * Freezes the node's JVM and returns the milliseconds until the router's kernel deleted the route to the VIP: the
     * time of the deletion as {@code ip -ts monitor route} stamps it (polling `ip route` would add a process start
     * per poll to the figure); the polls only wait for it.
     */
    private static long frozenNodeRouteGone(NamespacePair lab, LabProcess node) {
        routeBack(lab); // announced now (a BFD flap while the node started would have withdrawn it for a while)
        LabProcess monitor = lab.spawn(lab.router, "ip-monitor", List.of("ip", "-ts", "monitor", "route"));
        try {
            // the monitor is listening once it reports a change: toggle a route nothing uses until it does
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                toggleNudge(lab);
                return monitor.lines().stream().anyMatch(l -> l.contains("192.0.2.99"));
            });
            Signals.stop(node.pid());
            LocalDateTime stopped = LocalDateTime.now();
            try {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> nextHop(lab) == null);
                String deleted = monitor.awaitLine(l -> l.contains("Deleted " + VIP), Duration.ofSeconds(5));
                System.out.println("lab bgp: frozen at " + stopped + ", the router's kernel: " + deleted);
                LocalDateTime at = LocalDateTime.parse(deleted.substring(1, deleted.indexOf(']')));
                return Duration.between(stopped, at).toMillis();
            } finally {
                Signals.resume(node.pid());
            }
        } finally {
            monitor.close();
            if (nudged(lab)) {
                toggleNudge(lab);
            }
        }
    }

    private static boolean nudged(NamespacePair lab) {
        return !NamespacePair.run("ip", "-n", lab.router, "route", "show", "192.0.2.99/32").isBlank();
    }

    private static void toggleNudge(NamespacePair lab) {
        NamespacePair.run("ip", "-n", lab.router, "route", nudged(lab) ? "del" : "add", "blackhole", "192.0.2.99/32");
    }

    /** The node's log lines saying BFD took its BGP session down. */
    private static List<String> teardowns(LabProcess node) {
        return node.lines().stream().filter(l -> l.contains("session torn down at once")).toList();
    }

    /** Milliseconds until the VIP is routed through the node again. */
    private static long routeBack(NamespacePair lab) {
        long from = System.nanoTime();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> NODE.equals(nextHop(lab)));
        return (System.nanoTime() - from) / 1_000_000;
    }

    /** The router's next hop for the VIP, or null when its FIB has no route to it. */
    private static String nextHop(NamespacePair lab) {
        String out = NamespacePair.run("ip", "-n", lab.router, "route", "show", VIP);
        int at = out.indexOf(" via ");
        return at < 0 ? null : out.substring(at + 5).strip().split("\\s+")[0];
    }

    /** The node's status as JSON, or "" while its admin API does not answer. */
    private static String status(NamespacePair lab) {
        try {
            return NamespacePair.run("ip", "netns", "exec", lab.gatehouse, "curl", "-s", "--max-time", "1",
                    "http://127.0.0.1:9901/api/v1/status");
        } catch (IllegalStateException e) {
            return "";
        }
    }

    private static String birdConfig(boolean bfd) {
        return """
                router id %s;
                log stderr all;
                protocol device { }
                protocol kernel { ipv4 { export all; }; }
                %s
                protocol bgp lb1 {
                  local %s as 65000;
                  neighbor %s as 65001;
                  passive on;
                  debug { states, events };
                  hold time %d;
                  error wait time 1, 2; # BIRD waits 60-300 s after an error by default; the scenarios repeat
                  %s
                  ipv4 { import all; export none; };
                }
                """.formatted(NamespacePair.ROUTER_ADDRESS,
                bfd ? "protocol bfd { interface \"eth0\" { interval 100 ms; multiplier 3; }; }" : "",
                NamespacePair.ROUTER_ADDRESS, NODE, bfd ? 9 : 3, bfd ? "bfd on;" : "");
    }

    private static String nodeConfig(String id, boolean bfd) {
        // the witness announces nothing and needs no node.bgp
        String bgp = id.equals("w1") ? "" : """
                  admin: 127.0.0.1:9901
                  bgp:
                    local_as: 65001
                    router_id: %s
                    graceful_shutdown: 0s
                    peers: [ { address: %s, as: 65000, hold_time: %s%s } ]
                """.formatted(NODE, NamespacePair.ROUTER_ADDRESS, bfd ? "9s" : "3s",
                bfd ? ", bfd: { interval: 100ms, multiplier: 3 }" : "");
        return """
                node:
                  id: %s
                %slisteners:
                  - { name: web, bind: "vip:front:80", routes: [ { pool: web } ] }
                pools:
                  web:
                    endpoints: [ { address: "%s:8080" } ]
                    health: { type: http, path: /healthz, interval: 200ms, timeout: 100ms }
                cluster:
                  name: lab-bfd
                  secret_file: cluster.key
                  members:
                    - { id: lb1, address: "%s:7946" }
                    - { id: w1, address: "%s:7947", role: witness }
                  vips:
                    - { name: front, address: %s, driver: bgp }
                """.formatted(id, bgp, NODE, NODE, NODE, VIP);
    }

    /** BIRD's process and its control socket. */
    private record BirdControl(NamespacePair lab, LabProcess process, Path socket) {
        long pid() {
            return process.pid();
        }

        String birdc(String... command) {
            List<String> full = new java.util.ArrayList<>(List.of("birdc", "-s", socket.toString()));
            full.addAll(List.of(command));
            try {
                return NamespacePair.run(full.toArray(String[]::new));
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        }

        String log() {
            return String.join("\n", process.lines());
        }
    }
}
