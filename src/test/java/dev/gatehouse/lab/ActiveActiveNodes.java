package dev.gatehouse.lab;

import dev.gatehouse.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The lab's active-active site: the backends be1 and be2, a witness, and lb1, lb2 and lb3 running the real node, each
 * announcing the {@code active_active} VIP 198.51.100.10 over BGP (AS 65001, BFD 100 ms × 3) to every router given,
 * each router in AS 65000. HTTP checks every 200 ms, fall 3, rise 2.
 */
final class ActiveActiveNodes {

    static final String VIP = "198.51.100.10";
    static final String URL = "http://" + VIP + "/";
    static final List<String> NODES = List.of("lb1", "lb2", "lb3");
    static final Duration STARTUP = Duration.ofSeconds(90);

    private final Lab lab;
    private final Path dir;
    private final List<String> routers;
    private final Map<String, LabProcess> nodes = new LinkedHashMap<>();

    /** {@code routers}: the lab hosts the nodes peer with. */
    ActiveActiveNodes(Lab lab, Path dir, String... routers) {
        this.lab = lab;
        this.dir = dir;
        this.routers = List.of(routers);
    }

    /** Starts the backends, the witness and the three nodes (without waiting for the nodes). */
    void startAll() throws IOException {
        for (String be : new String[] {"be1", "be2"}) {
            lab.spawnJava(be, Main.class, "backend", "--host", lab.address(be), "--port", "8080", "--name", be)
                    .awaitLine(l -> l.startsWith("backend " + be), STARTUP);
        }
        Files.writeString(dir.resolve("cluster.key"), "the lab cluster's shared secret, long enough");
        start("witness");
        NODES.forEach(this::start);
    }

    /** Starts (or starts again) one member with its config. */
    void start(String member) {
        try {
            Files.writeString(dir.resolve(member + ".yaml"), config(member));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        LabProcess p = lab.spawnJava(member, Main.class, "run", "-c", dir.resolve(member + ".yaml").toString());
        if (!member.equals("witness")) {
            nodes.put(member, p);
        }
    }

    LabProcess node(String name) {
        return nodes.get(name);
    }

    /** A node's {@code /api/v1/status}. */
    String status(String node) {
        return lab.exec(node, "curl", "-s", "http://127.0.0.1:9901/api/v1/status");
    }

    /** Prints the nodes' log lines about BGP, the VIP and trouble, for a failed run. */
    void printLogs() {
        nodes.forEach((name, node) -> node.lines().stream()
                .filter(l -> l.matches("(?i).*(bgp|front|error|warn|exception).*"))
                .forEach(l -> System.out.println(name + ": " + l)));
    }

    /** The next hops of {@code host}'s route to the VIP (one, several for ECMP, none). */
    List<String> nextHops(String host) {
        return lab.nextHops(host, VIP);
    }

    /**
     * Starts BIRD in {@code host} with {@code lab/CONF}, hashing multipath on ports there
     * ({@code fib_multipath_hash_policy=1}).
     */
    void startBird(String host, String conf) {
        lab.exec(host, "sysctl", "-qw", "net.ipv4.fib_multipath_hash_policy=1");
        lab.startBird(host, conf, dir);
    }

    /** {@code birdc} of the BIRD {@link #startBird} started in {@code host}. */
    String birdc(String host, String... command) {
        return lab.birdc(host, dir, command);
    }

    private String config(String member) {
        String id = member.equals("witness") ? "w1" : member;
        String peers = routers.stream()
                .map(r -> "{ address: " + lab.address(r) + ", as: 65000, hold_time: 9s, bfd: { interval: 100ms, multiplier: 3 } }")
                .collect(Collectors.joining(", "));
        String bgp = member.equals("witness") ? "" : """
                  bgp:
                    local_as: 65001
                    router_id: %s
                    graceful_shutdown: 1s
                    peers: [ %s ]
                """.formatted(lab.address(member), peers);
        return """
                node:
                  id: %s
                  admin: 127.0.0.1:9901
                %slisteners:
                  - { name: web, bind: "vip:front:80", routes: [ { pool: web } ] }
                pools:
                  web:
                    endpoints: [ { address: "203.0.113.21:8080" }, { address: "203.0.113.22:8080" } ]
                    health: { type: http, path: /healthz, interval: 200ms, timeout: 100ms, fall: 3, rise: 2 }
                cluster:
                  name: lab-edge
                  secret_file: cluster.key
                  members:
                    - { id: lb1, address: "203.0.113.11:7946" }
                    - { id: lb2, address: "203.0.113.12:7946" }
                    - { id: lb3, address: "203.0.113.14:7946" }
                    - { id: w1, address: "203.0.113.13:7946", role: witness }
                  vips:
                    - { name: front, address: %s, driver: bgp, mode: active_active }
                """.formatted(id, bgp, VIP);
    }
}
