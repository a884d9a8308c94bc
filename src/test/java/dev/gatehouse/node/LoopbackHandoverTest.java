package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static dev.gatehouse.node.ClusterNodes.ownedHere;

import dev.gatehouse.FreePorts;
import dev.gatehouse.demo.DemoBackend;
import dev.gatehouse.drill.Probe;
import dev.gatehouse.drill.ProbeReport;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default on loopback (the demo's own config, preempt on; only its ports, and a shorter preempt
 * delay): lb1, lb2 and a witness in one JVM, a client opening a new connection to the VIP every 10 ms. Each demote
 * of lb1 hands the VIP to lb2 and each preemption hands it back, both make-before-break: lb2's listener shares the
 * port with lb1's and takes every new connection while lb1 finishes its own.
 */
class LoopbackHandoverTest {

    private static final int MOVES = 5;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void demotesAndPreemptionsBackFailNoRequest() throws Exception {
        List<DemoBackend> backends = new ArrayList<>();
        try {
            for (String name : List.of("be1", "be2", "be3")) {
                backends.add(DemoBackend.start("127.0.0.1", 0, name));
            }
            String shared = demoConfig(backends);
            Files.writeString(dir.resolve("cluster.key"), "a shared secret of the test cluster, 32+ bytes long");
            try (Node w1 = ClusterNodes.start(dir, "w1", shared); Node lb1 = ClusterNodes.start(dir, "lb1", shared); Node lb2 = ClusterNodes.start(dir, "lb2", shared)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> ownedHere(lb1) && !ownedHere(lb2));
                int port = lb1.listenerAddress("web").getPort();
                URI url = URI.create("http://127.0.0.10:" + port + "/");
                Probe.warmUp(url, 10, Duration.ofSeconds(2));
                Probe probe = Probe.start(url, 100_000, Duration.ofMillis(10), Duration.ofSeconds(2), r -> { });
                List<Long> epochs = new ArrayList<>();
                for (int move = 1; move <= MOVES; move++) {
                    assertThat(lb1.demote()).isTrue();
                    await().atMost(Duration.ofSeconds(10)).until(() -> ownedHere(lb2) && !ownedHere(lb1));
                    epochs.add(epoch(lb2));
                    lb1.undemote();
                    await().atMost(Duration.ofSeconds(10)).until(() -> ownedHere(lb1) && !ownedHere(lb2));
                    epochs.add(epoch(lb1));
                }
                ProbeReport report = probe.stop();
                System.out.printf("loopback: %d demotes and %d preemptions back on the demo's config: %s; epochs %s%n",
                        MOVES, MOVES, report.summary(), epochs);
                assertThat(report.failed()).isZero();
                // one grant per move: no VIP moved twice for one demote or one preemption
                assertThat(epochs.getLast() - epochs.getFirst()).isEqualTo(2L * MOVES - 1);
            }
        } finally {
            backends.forEach(DemoBackend::close);
        }
    }

    /** demo.yaml with free ports for the backends, listeners and members, and a 1 s preempt delay (5 s in the demo). */
    private static String demoConfig(List<DemoBackend> backends) throws Exception {
        String text;
        try (InputStream in = LoopbackHandoverTest.class.getResourceAsStream("/dev/gatehouse/demo/demo.yaml")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (int i = 0; i < backends.size(); i++) {
            text = text.replace("127.0.0.1:900" + (i + 1), "127.0.0.1:" + backends.get(i).port());
        }
        for (String port : List.of("8080", "8081")) {
            text = text.replace("vip:front:" + port, "vip:front:" + FreePorts.on("127.0.0.10"));
        }
        for (String port : List.of("7946", "7947", "7948")) {
            text = text.replace("127.0.0.1:" + port, "127.0.0.1:" + FreePorts.on("127.0.0.1"));
        }
        String preempt = "preempt: { enabled: true, delay: 5s }";
        assertThat(text).contains(preempt);
        return text.replace(preempt, "preempt: { enabled: true, delay: 1s }");
    }

    private static long epoch(Node node) {
        return node.status().cluster().vips().getFirst().epoch();
    }
}
