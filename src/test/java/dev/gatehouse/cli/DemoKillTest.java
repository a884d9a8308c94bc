package dev.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.FreePorts;
import dev.gatehouse.demo.DemoBackend;
import dev.gatehouse.drill.Probe;
import dev.gatehouse.drill.ProbeReport;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default as a new user runs it: the demo's own config (preempt on, delay 5 s), w1, lb1 and lb2 each
 * a real JVM, on free ports. The owner is killed with SIGKILL five times, alternating (the other node, restarted
 * after the previous kill, owns by then), while a probe sends a new request to the VIP every 10 ms.
 */
@Timeout(180)
class DemoKillTest {

    private static final long MEDIAN_OUTAGE_BOUND_MS = 200;

    private static final String[] MEMBERS = {"w1", "lb1", "lb2"};
    private static final int KILLS = 5;
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(10);
    /** The report lifetime at the default lease: 3 leases. */
    private static final Duration REPORT_LIFETIME = Duration.ofMillis(1800);

    @TempDir
    Path dir;

    private final Map<String, Integer> adminPorts = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void stop() {
        processes.values().forEach(Process::destroyForcibly);
        http.close();
    }

    @Test
    void killingTheOwnerMovesTheVipOnceWithoutWaitingForTheLeaseAndTheDeadNodeIsShownDown() throws Exception {
        try (DemoBackend be1 = DemoBackend.start("127.0.0.1", 0, "be1");
                DemoBackend be2 = DemoBackend.start("127.0.0.1", 0, "be2");
                DemoBackend be3 = DemoBackend.start("127.0.0.1", 0, "be3")) {
            int vipPort = FreePorts.on("127.0.0.10");
            writeConfigs(vipPort, be1.port(), be2.port(), be3.port());
            for (String id : MEMBERS) {
                start(id);
            }
            URI vip = URI.create("http://127.0.0.10:" + vipPort + "/");
            try {
                await().atMost(Duration.ofSeconds(90)).until(() -> "lb1".equals(owner()));
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("lb1 did not serve the VIP within 90 s of the start (owner: " + owner() + ")\n"
                        + logTails(), e);
            }
            Probe.warmUp(vip, 20, Duration.ofSeconds(1));

            List<Long> outages = new ArrayList<>();
            for (int run = 1; run <= KILLS; run++) {
                // a freshly started JVM (the one restarted after the last kill) burns the CPU for a while: on a small
                // host that can cost renewals, so the kill waits until the pair has been steady for two seconds. And
                // with preemption on, lb2 holds the VIP only until lb1 takes it back: a kill of lb2 could land in that
                // handover (then the VIP moves by it, not by the confirmed exit this test is about), so the kill waits
                // for lb1 to own it
                AtomicReference<String> steady = new AtomicReference<>();
                await().atMost(Duration.ofSeconds(60)).during(Duration.ofSeconds(2)).ignoreExceptions().until(() -> {
                    String o = owner();
                    boolean same = "lb1".equals(o) && o.equals(steady.getAndSet(o));
                    return same && readyToTakeOver(other(o));
                });
                String owner = steady.get();
                String survivor = other(owner);
                int acquiredBefore = count(survivor, survivor + " acquired it");
                int releasedBefore = count(survivor, survivor + " released it");

                AtomicInteger answered = new AtomicInteger();
                Probe probe = Probe.start(vip, 250, PROBE_INTERVAL, Duration.ofSeconds(1), r -> answered.incrementAndGet());
                await().atMost(Duration.ofSeconds(5)).until(() -> answered.get() >= 20);
                long killed = System.nanoTime();
                LocalTime killedAt = LocalTime.now();
                processes.get(owner).destroyForcibly().waitFor(); // SIGKILL, and reaped
                await().atMost(REPORT_LIFETIME.multipliedBy(2)).pollInterval(Duration.ofMillis(5)).ignoreExceptions()
                        .until(() -> !member(status(survivor), owner).path("up").asBoolean(true));
                long shownDownMs = (System.nanoTime() - killed) / 1_000_000;
                ProbeReport report = probe.await(); // 2.5 s of probing: longer than a report lives, so a give-back would show

                // The killed node's sockets can outlive its process (io_uring tears its ring down after the exit, and
                // with it the listener), accepting connections it resets then. Until the survivor serves, no other
                // socket listens on the VIP: a request sent before then that failed other than refused was on the
                // killed node; one sent after it must not fail at all.
                long served = servingNanos(survivor, killed, killedAt);
                long refused = report.requests().stream().filter(r -> r.outcome().equals("refused")).count();
                List<ProbeReport.Request> lost = report.requests().stream()
                        .filter(r -> !r.ok() && !r.outcome().equals("refused")).toList();
                long onKilledNode = lost.stream().filter(r -> r.startNanos() < served).count();
                int acquired = count(survivor, survivor + " acquired it") - acquiredBefore;
                int released = count(survivor, survivor + " released it") - releasedBefore;
                outages.add(report.outageMillis());
                System.out.printf("kill -9 of %s (run %d): outage %d ms, %d refused while no node listened, %d lost on %s "
                                + "(sent before %s served, %+d ms after the kill), %d lost after; %s acquired %d time(s) and "
                                + "released %d, %s shown down after %d ms%n",
                        owner, run, report.outageMillis(), refused, onKilledNode, owner, survivor, (served - killed) / 1_000_000,
                        lost.size() - onKilledNode, survivor, acquired, released, owner, shownDownMs);
                System.out.println("  probe: " + report.summary());
                lost.stream().filter(r -> r.startNanos() >= served).forEach(r -> System.out.printf(
                        "  lost after %s served: sent %+d ms after the kill, %s %s after %d ms%n", survivor,
                        (r.startNanos() - killed) / 1_000_000, r.outcome(), r.detail(), r.latencyNanos() / 1_000_000));
                assertThat(acquired).as("acquisitions by %s after the kill of %s", survivor, owner).isEqualTo(1);
                assertThat(released).as("give-backs by %s", survivor).isZero();
                assertThat(lost.size() - onKilledNode).as("requests lost beyond those on the killed node").isZero();
                assertThat(shownDownMs).isLessThanOrEqualTo(REPORT_LIFETIME.toMillis());
                assertThat(acquiredLine(survivor)).contains("owner " + owner + " process exited");
                start(owner);
            }
            long median = outages.stream().sorted().toList().get(KILLS / 2);
            System.out.println("kill -9 outages (ms): " + outages + ", median " + median);
            // Medians with lb1 killed each time: 71 ms ([129, 61, 69, 71, 147]) and 80 ms ([300, 110, 80, 50, 59]);
            // 112-218 when the kills alternated and a freshly started JVM took over every other time. The issue's
            // bound, far below the lease path (lease x 1.1 + 50 ms = 710 ms).
            assertThat(median).isLessThanOrEqualTo(MEDIAN_OUTAGE_BOUND_MS);
        }
    }

    private static String other(String node) {
        return node.equals("lb1") ? "lb2" : "lb1";
    }

    /** The demo's shared config with free ports for the backends, members and VIP listeners, each member its node section. */
    private void writeConfigs(int vipPort, int... backends) throws IOException {
        String shared;
        try (InputStream in = DemoCommand.class.getResourceAsStream("/dev/gatehouse/demo/demo.yaml")) {
            shared = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(shared).as("the demo config").contains("preempt: { enabled: true, delay: 5s }");
        Map<String, String> ports = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            ports.put("127.0.0.1:900" + (i + 1), "127.0.0.1:" + backends[i]);
            ports.put("127.0.0.1:" + (7946 + i), "127.0.0.1:" + FreePorts.cluster("127.0.0.1"));
        }
        ports.put("vip:front:8080", "vip:front:" + vipPort);
        ports.put("vip:front:8081", "vip:front:" + FreePorts.on("127.0.0.10"));
        for (var e : ports.entrySet()) {
            assertThat(shared).as("the demo config").contains(e.getKey());
            shared = shared.replace(e.getKey(), e.getValue());
        }
        Files.writeString(dir.resolve("cluster.key"), "demo kill test secret, 32 bytes or so\n");
        for (String id : MEMBERS) {
            adminPorts.put(id, FreePorts.on("127.0.0.1"));
            Files.writeString(dir.resolve(id + ".yaml"), "node: { id: " + id + ", admin: 127.0.0.1:" + adminPorts.get(id) + " }\n" + shared);
        }
    }

    private void start(String id) throws IOException {
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "dev.gatehouse.Main", "run", "-c", dir.resolve(id + ".yaml").toString());
        processes.put(id, new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(id).toFile())).start());
    }

    private Path log(String id) {
        return dir.resolve(id + ".log");
    }

    /** The last lines each member logged: what a failure at start needs, as the logs go with the temp dir. */
    private String logTails() throws IOException {
        StringBuilder tails = new StringBuilder();
        for (String id : MEMBERS) {
            List<String> lines = Files.readAllLines(log(id));
            tails.append("--- ").append(id).append(" (exited: ").append(!processes.get(id).isAlive()).append(")\n");
            lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> tails.append(l).append('\n'));
        }
        return tails.toString();
    }

    private int count(String id, String text) throws IOException {
        return (int) Files.readAllLines(log(id)).stream().filter(l -> l.contains(text)).count();
    }

    /**
     * When {@code id} logged that it serves the VIP after the kill (its log's time of day, which comes after its
     * listener was bound), on this JVM's {@link System#nanoTime} clock.
     */
    private long servingNanos(String id, long killedNanos, LocalTime killedAt) throws IOException {
        String line = Files.readAllLines(log(id)).reversed().stream().filter(l -> l.contains("VIP front: serving at epoch"))
                .findFirst().orElseThrow(() -> new AssertionError(id + " never logged that it serves"));
        LocalTime at = LocalTime.parse(line.substring(0, line.indexOf(' ')));
        long millis = Duration.between(killedAt, at).toMillis();
        assertThat(millis).as("%s serving after the kill: %s", id, line).isBetween(-1L, 60_000L);
        return killedNanos + Duration.ofMillis(millis).toNanos();
    }

    private String acquiredLine(String id) throws IOException {
        return Files.readAllLines(log(id)).reversed().stream().filter(l -> l.contains(id + " acquired it")).findFirst().orElse("");
    }

    /** The node that serves the VIP (by its own status) and that the cluster granted it to, or null. */
    private String owner() {
        String found = null;
        for (String id : List.of("lb1", "lb2")) {
            try {
                JsonNode vip = status(id).path("cluster").path("vips").get(0);
                if (vip.path("owned_here").asBoolean() && id.equals(vip.path("owner").asText())) {
                    found = found == null ? id : "both";
                }
            } catch (Exception e) {
                // not up
            }
        }
        return "both".equals(found) ? null : found;
    }

    /** {@code id} is synced and the leader sees it up, able to serve and on the current config. */
    private boolean readyToTakeOver(String id) throws Exception {
        JsonNode self = status(id).path("cluster");
        if (!self.path("synced").asBoolean() || !self.path("config_current").asBoolean()) {
            return false;
        }
        JsonNode leader = status(self.path("leader").asText()).path("cluster");
        JsonNode m = member(status(self.path("leader").asText()), id);
        return m.path("up").asBoolean() && m.path("can_serve").asBoolean()
                && m.path("config_version").asLong() == leader.path("config_version").asLong();
    }

    private static JsonNode member(JsonNode status, String id) {
        for (JsonNode m : status.path("cluster").path("members")) {
            if (m.path("id").asText().equals(id)) {
                return m;
            }
        }
        throw new AssertionError("no member " + id + " in " + status);
    }

    private JsonNode status(String id) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPorts.get(id) + "/api/v1/status"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        return json.readTree(r.body());
    }
}
