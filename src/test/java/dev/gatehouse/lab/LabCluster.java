package dev.gatehouse.lab;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The lab's Gatehouse cluster: two backends, lb1 (priority 150), lb2 (100) and a witness, real processes with the
 * {@code arp} driver moving VIP "front" (203.0.113.10), preemption on or off, and what the scenarios ask of them.
 */
final class LabCluster implements AutoCloseable {

    static final Duration STARTUP = Duration.ofSeconds(90);
    static final String[] NODES = {"lb1", "lb2"};
    /** The members' admin write token (admin.token beside their configs). */
    private static final String ADMIN_TOKEN = "the-lab-admin-write-token";

    private final Lab lab;
    private final Path dir;
    private final String preempt;
    private final Map<String, LabProcess> members = new HashMap<>();
    /** The logs of each member's earlier processes (killed and restarted), so a failed kill keeps its story. */
    private final Map<String, List<String>> earlierLines = new HashMap<>();

    /** Where the processes' logs are kept after the run: target/lab-logs/NAME. */
    private final String name;

    private LabCluster(Lab lab, Path dir, String preempt, String name) {
        this.name = name;
        this.lab = lab;
        this.dir = dir;
        this.preempt = preempt;
    }

    /**
     * Builds the lab and starts the cluster in it; {@code preemptDelay} null: preemption off. Returns once a node
     * owns the VIP and both can serve. {@code name} names the folder of the processes' logs.
     */
    static LabCluster up(String name, Path dir, Duration preemptDelay) throws IOException {
        Lab lab = Lab.up();
        LabCluster cluster = new LabCluster(lab, dir, preemptDelay == null ? "{ enabled: false }"
                : "{ enabled: true, delay: " + preemptDelay.toMillis() + "ms }", name);
        try {
            Files.writeString(dir.resolve("cluster.key"), "the lab cluster's shared secret, long enough");
            Files.writeString(dir.resolve("admin.token"), ADMIN_TOKEN);
            for (String be : new String[] {"be1", "be2"}) {
                lab.spawnJava(be, Main.class, "backend", "--host", lab.address(be), "--port", "8080", "--name", be)
                        .awaitLine(l -> l.startsWith("backend " + be), STARTUP);
            }
            for (String member : new String[] {"witness", "lb1", "lb2"}) {
                Files.writeString(dir.resolve(member + ".yaml"), cluster.config(member, "cluster.key"));
                cluster.start(member);
            }
            // lb1 (priority 150) should win; on a loaded machine lb2 may be first, and without preemption it keeps it
            await().atMost(STARTUP).until(() -> cluster.owner() != null && cluster.canServe("lb1") && cluster.canServe("lb2"));
        } catch (RuntimeException | IOException e) {
            cluster.close();
            throw e;
        }
        System.out.println("lab up: " + cluster.owner() + " owns the VIP");
        return cluster;
    }

    Lab lab() {
        return lab;
    }

    LabProcess member(String name) {
        return members.get(name);
    }

    /** Starts (or restarts) a member with its config. */
    void start(String member) {
        start(member, dir.resolve(member + ".yaml"));
    }

    /** Starts a member with another config, written next to the others under {@code name}. */
    void startWith(String member, String name, String secretFile) throws IOException {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, config(member, secretFile));
        start(member, file);
    }

    private void start(String member, Path file) {
        LabProcess earlier = members.put(member, lab.spawnJava(member, Main.class, "run", "-c", file.toString()));
        if (earlier != null) {
            List<String> kept = earlierLines.computeIfAbsent(member, m -> new ArrayList<>());
            kept.addAll(earlier.lines());
            kept.add("---- " + member + " restarted ----");
        }
    }

    /** Writes {@code secret} to {@code file} in the configs' directory. */
    void writeSecret(String file, String secret) throws IOException {
        Files.writeString(dir.resolve(file), secret);
    }

    String config(String member, String secretFile) {
        String id = member.equals("witness") ? "w1" : member;
        return """
                node: { id: %s, admin: { bind: "127.0.0.1:9901", token_file: admin.token }, data_dir: data/%s }
                listeners:
                  - { name: web, bind: "vip:front:80", routes: [ { pool: web } ] }
                pools:
                  web:
                    endpoints: [ { address: "203.0.113.21:8080" }, { address: "203.0.113.22:8080" } ]
                    health: { type: http, path: /healthz, interval: 200ms, timeout: 100ms }
                    retries: 2
                cluster:
                  name: lab-edge
                  secret_file: %s
                  members:
                    - { id: lb1, address: "203.0.113.11:7946", priority: 150 }
                    - { id: lb2, address: "203.0.113.12:7946", priority: 100 }
                    - { id: w1, address: "203.0.113.13:7946", role: witness }
                  vips:
                    - name: front
                      address: 203.0.113.10
                      driver: arp
                      arp: { interface: eth0, prefix: 24 }
                      preempt: %s
                """.formatted(id, id, secretFile, preempt);
    }

    /** The node that serves the VIP, once one does (after a scenario the VIP may still be on its way). */
    String awaitOwner() {
        return await().atMost(STARTUP).until(this::owner, java.util.Objects::nonNull);
    }

    /** The node that serves the VIP now, by its own account; null when none does. */
    String owner() {
        for (String node : NODES) {
            if (owns(node)) {
                return node;
            }
        }
        return null;
    }

    /** Whether {@code node} serves the VIP by its own account (asks only that node). */
    boolean owns(String node) {
        return status(node).contains("\"owned_here\":true");
    }

    /** The VIP's epoch as {@code node} last applied it; -1 while it does not answer. */
    long epoch(String node) throws IOException {
        String status = status(node);
        return status.isEmpty() ? -1 : new ObjectMapper().readTree(status).path("cluster").path("vips").path(0)
                .path("epoch").asLong(-1);
    }

    /**
     * Whether {@code node} is up, takes part in the cluster's log (a restarted node needs a few seconds to catch
     * up) and the cluster's state says it can serve: so it could take the VIP.
     */
    boolean canServe(String node) throws IOException {
        String status = status(node);
        if (status.isEmpty()) {
            return false;
        }
        var cluster = new ObjectMapper().readTree(status).path("cluster");
        if (!cluster.path("synced").asBoolean()) {
            return false;
        }
        for (var m : cluster.path("members")) {
            if (m.path("id").asText().equals(node)) {
                return m.path("can_serve").asBoolean();
            }
        }
        return false;
    }

    String status(String node) {
        return admin(node, "GET", "/api/v1/status");
    }

    /** The admin API's answer, or "" while that node is down or starting. */
    String admin(String node, String method, String path) {
        try {
            return lab.exec(node, "curl", "-s", "--max-time", "2", "-X", method,
                    "-H", "Authorization: Bearer " + ADMIN_TOKEN, "http://127.0.0.1:9901" + path);
        } catch (IllegalStateException down) {
            return "";
        }
    }

    /** The other node. */
    static String other(String node) {
        return node.equals("lb1") ? "lb2" : "lb1";
    }

    /** A probe of {@code url} (a new request every 10 ms, {@code count} in all) that has sent 100 requests already. */
    LabProbe probeUnderLoad(String url, int count) {
        LabProbe probe = lab.probe(url, count, Duration.ofMillis(10));
        probe.awaitStarted();
        await().atMost(Duration.ofSeconds(20)).until(() -> requestsSeen(probe) >= 100);
        return probe;
    }

    static long requestsSeen(LabProbe probe) {
        return probe.linesSoFar().stream().filter(l -> l.startsWith("req ")).count();
    }

    /** Keeps the processes' own logs (they explain a failed scenario), then removes the lab. */
    @Override
    public void close() throws IOException {
        Path logs = Files.createDirectories(Path.of("target", "lab-logs", name));
        for (var m : members.entrySet()) {
            List<String> lines = new ArrayList<>(earlierLines.getOrDefault(m.getKey(), List.of()));
            lines.addAll(m.getValue().lines());
            Files.write(logs.resolve(m.getKey() + ".log"), lines);
        }
        lab.close();
    }
}
