package dev.gatehouse.node;

import dev.gatehouse.FreePorts;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.demo.DemoBackend;
import dev.gatehouse.time.Ticker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes of one cluster (and its witness) share per-client usage through the cluster's log every 100 ms: a
 * client that sends twice its limit, split over both nodes, gets about its limit in total; the rest get 429.
 */
class SharedRateLimitTest {

    private static final int RATE = 50;
    private static final int SECONDS = 10;
    /** The first seconds spend the initial bursts; the rate is measured after them. */
    private static final int WARM_UP = 2;

    static final String CONFIG = """
            node: { id: ID }
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes: [ { pool: web } ]
                limits: { per_client: { requests_per_second: RATE, burst: 10 } }
            pools:
              web: { endpoints: [ { address: "${be1}" } ] }
            """.replace("RATE", Integer.toString(RATE));

    @TempDir
    Path dir;

    @Test
    void aClientAtTwiceItsLimitOverTwoNodesGetsAboutItsLimitInTotal() throws Exception {
        Path key = Files.writeString(dir.resolve("cluster.key"), "a shared secret of the test cluster, 32+ bytes long");
        String cluster = """
                cluster:
                  name: limits-edge
                  secret_file: %s
                  members:
                    - { id: lb1, address: "127.0.0.1:%d", priority: 150 }
                    - { id: lb2, address: "127.0.0.1:%d", priority: 100 }
                    - { id: w1, address: "127.0.0.1:%d", role: witness }
                  vips: [ { name: front, address: 127.0.0.10, driver: loopback } ]
                """.formatted(key, FreePorts.on("127.0.0.1"), FreePorts.on("127.0.0.1"), FreePorts.on("127.0.0.1"));
        Path witness = Files.writeString(dir.resolve("w1.yaml"), "node: { id: w1 }\n" + cluster);
        try (DemoBackend be1 = DemoBackend.start("127.0.0.1", 0, "be1");
                Node w1 = Node.start(witness, Ticker.system());
                TestNode lb1 = node("lb1", be1, cluster);
                TestNode lb2 = node("lb2", be1, cluster)) {
            // both nodes in the log and running the cluster's config (the same text: one backend for both)
            await().atMost(Duration.ofSeconds(30)).until(() -> ready(lb1) && ready(lb2));
            try (Socket to1 = client(lb1, "127.0.0.9"); Socket to2 = client(lb2, "127.0.0.9")) {
                run(lb1, lb2, to1, to2, be1);
            }
        }
    }

    private TestNode node(String id, DemoBackend backend, String cluster) throws Exception {
        String yaml = CONFIG.replace("ID", id).replace("${be1}", "127.0.0.1:" + backend.port()) + cluster;
        return TestNode.start(Files.createDirectory(dir.resolve(id)), 0, yaml);
    }

    private static boolean ready(TestNode lb) {
        var cluster = lb.node.status().cluster();
        return cluster.synced() && cluster.configCurrent() && cluster.configVersion() > 0;
    }

    /** Sends a client's requests at twice its limit, alternating between the nodes, and checks what it got. */
    private static void run(TestNode lb1, TestNode lb2, Socket to1, Socket to2, DemoBackend be1) throws IOException {
        // Another client warms both nodes up (first connections, code paths) without touching this one's buckets.
        for (TestNode lb : new TestNode[] {lb1, lb2}) {
            try (Socket warm = client(lb, "127.0.0.1")) {
                assertThat(exchange(warm)).startsWith("HTTP/1.1 200");
            }
        }
        // 2 × RATE requests a second, alternating between the nodes, paced by the clock; after a stall the pace
        // resumes from now rather than catching up in a burst the limit would rightly refuse.
        long interval = 1_000_000_000L / (2 * RATE);
        long start = System.nanoTime();
        long measureFrom = start + WARM_UP * 1_000_000_000L;
        long end = start + SECONDS * 1_000_000_000L;
        int sent = 0;
        int ok = 0;
        int measured = 0;
        int limited = 0;
        for (long due = start; due < end; due += interval) {
            long now = System.nanoTime();
            if (now - due > interval) {
                due = now;
            }
            for (long left = due - now; left > 0; left = due - System.nanoTime()) {
                LockSupport.parkNanos(left); // pacing the load, not waiting for an outcome
            }
            String status = exchange(sent++ % 2 == 0 ? to1 : to2);
            if (status.startsWith("HTTP/1.1 200")) {
                ok++;
                measured += due >= measureFrom ? 1 : 0;
            } else if (status.startsWith("HTTP/1.1 429")) {
                limited++;
            }
        }
        double window = (System.nanoTime() - measureFrom) / 1e9;
        double admittedRate = measured / window;
        System.out.printf("client at %d/s over two nodes, limit %d/s: %d sent, %d admitted, %d refused with 429;"
                + " %.1f/s admitted over the last %.1f s%n", 2 * RATE, RATE, sent, ok, limited, admittedRate, window);
        assertThat(ok + limited).isEqualTo(sent);
        assertThat(admittedRate).isBetween(RATE * 0.8, RATE * 1.2);
        assertThat(be1.requests()).isEqualTo(ok + 2);
    }


    private static Socket client(TestNode lb, String from) throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(5_000);
        s.bind(new InetSocketAddress(from, 0));
        s.connect(lb.listener("web"), 2_000);
        return s;
    }

    private static String exchange(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        return RawHttp.readResponse(in);
    }
}
