package dev.gatehouse.node;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * Whose fault a stalled exchange is: a client that stops sending the body it announced gets 408 after the
 * listener's header_read and nothing is held against the endpoint; a backend that is slow to answer a request
 * it has whole, or that stops taking the body, gets the pool's request timeout and counts as an upstream timeout.
 */
@Timeout(60)
class SlowUploadTest {

    /** header_read (300 ms) well below the request timeout (1.5 s), so the two answers tell apart by time too. */
    private static final String CONFIG = """
            node: { id: lb1 }
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes: [ { pool: web } ]
                timeouts: { header_read: 300ms }
            pools:
              web:
                balance: source_hash
                endpoints: [ ENDPOINTS ]
                outlier: { consecutive_failures: 3, base_ejection: 60s }
                retries: 0
                timeouts: { request: 1500ms }
            """;

    private static final Executor THREADS = Executors.newVirtualThreadPerTaskExecutor();

    @RegisterExtension
    final TestNodes nodes = new TestNodes();

    TestNode lb;

    @Test
    void clientsThatStallTheirUploadGet408AndDoNotEjectTheEndpoint() throws Exception {
        lb = nodes.start(2, CONFIG.replace("ENDPOINTS", "{ address: \"${be1}\" }, { address: \"${be2}\" }"));
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            String answer = send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 20\r\n\r\nhello");
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("stalled upload %d: %s after %d ms (header_read 300 ms, request timeout 1500 ms)%n",
                    i + 1, answer.lines().findFirst().orElse(""), ms);
            assertThat(answer).startsWith("HTTP/1.1 408 ");
            assertThat(ms).isBetween(280L, 1000L);
        }
        assertThat(send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"))
                .startsWith("HTTP/1.1 200 ").contains("received=5");
        // source_hash sends every loopback client to one endpoint: it had the three stalled uploads, and holds nothing
        // against them; no backend saw a whole request but the complete one.
        assertThat(lb.backends.stream().mapToLong(b -> b.requests()).sum()).isEqualTo(1);
        String target = lb.backends.stream().filter(b -> b.requests() == 1).map(b -> "127.0.0.1:" + b.port()).findFirst().orElseThrow();
        assertThat(states()).containsOnly("healthy");
        assertThat(lb.upstreamErrors(target, "timeout")).isZero();
        assertThat(lb.node.metrics()).contains("gatehouse_listener_requests_total{class=\"4xx\",listener=\"web\"} 3.0");

        // A backend slow to answer a request it has whole is the backend's fault: 504 after the request timeout.
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            String answer = send("POST /slow?ms=5000 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(answer).startsWith("HTTP/1.1 504 ");
            assertThat(ms).isBetween(1450L, 2500L);
        }
        assertThat(lb.upstreamErrors(target, "timeout")).isEqualTo(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.endpointState(target).equals("ejected"));
    }

    @Test
    void aBackendThatStopsTakingTheBodyTimesOutAgainstTheEndpoint() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket deaf = new ServerSocket()) {
            deaf.setReceiveBufferSize(4096); // small, so the proxy soon holds bytes it cannot send
            deaf.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            // Accepts and never reads: once the socket buffers are full the proxy has body bytes it cannot send.
            CompletableFuture<Socket> held = CompletableFuture.supplyAsync(() -> { // own threads: both block
                try {
                    Socket s = deaf.accept();
                    accepted.incrementAndGet();
                    return s;
                } catch (IOException e) {
                    return null;
                }
            }, THREADS);
            lb = nodes.start(0, CONFIG.replace("ENDPOINTS", "{ address: \"127.0.0.1:" + deaf.getLocalPort() + "\" }"));
            long length = 1L << 30;
            try (Socket client = new Socket("127.0.0.1", lb.listener("web").getPort())) {
                client.setSoTimeout(10_000);
                long start = System.nanoTime();
                CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                    try {
                        OutputStream out = client.getOutputStream();
                        out.write(("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: " + length + "\r\n\r\n").getBytes(US_ASCII));
                        byte[] chunk = new byte[64 << 10];
                        for (long sent = 0; sent < length; sent += chunk.length) {
                            out.write(chunk);
                        }
                    } catch (IOException closedByTheProxy) {
                        // expected: the proxy gives up on the exchange and closes
                    }
                }, THREADS);
                String answer = RawHttp.readHead(client.getInputStream());
                long ms = (System.nanoTime() - start) / 1_000_000;
                System.out.printf("backend not reading the body: %s after %d ms (request timeout 1500 ms)%n",
                        answer.lines().findFirst().orElse(""), ms);
                assertThat(answer).startsWith("HTTP/1.1 504 ");
                // Never before the request timeout; after it, by the time the socket buffers took to fill (1.9-3.0 s
                // measured at load 15-25 on 2 cores).
                assertThat(ms).isBetween(1500L, 4000L);
                client.close();
                upload.join();
            }
            assertThat(accepted.get()).isEqualTo(1);
            String endpoint = "127.0.0.1:" + deaf.getLocalPort();
            assertThat(lb.upstreamErrors(endpoint, "timeout")).isEqualTo(1);
            Socket s = held.join();
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void aClientWaitingFor100ContinueHasNoHeaderReadDeadlineWhileTheBackendDecides() throws Exception {
        try (ServerSocket slow = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
                try (Socket s = slow.accept()) {
                    String head = RawHttp.readHead(s.getInputStream());
                    Thread.sleep(700); // longer than header_read: the client, waiting for 100, must not get 408
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(US_ASCII));
                    out.flush();
                    String body = new String(s.getInputStream().readNBytes(5), US_ASCII);
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".getBytes(US_ASCII));
                    return head + body;
                } catch (IOException | InterruptedException e) {
                    return e.toString();
                }
            }, THREADS);
            lb = nodes.start(0, CONFIG.replace("ENDPOINTS", "{ address: \"127.0.0.1:" + slow.getLocalPort() + "\" }"));
            try (Socket client = new Socket("127.0.0.1", lb.listener("web").getPort())) {
                client.setSoTimeout(10_000);
                OutputStream out = client.getOutputStream();
                out.write("POST /c HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n".getBytes(US_ASCII));
                assertThat(RawHttp.readHead(client.getInputStream())).startsWith("HTTP/1.1 100 ");
                out.write("hello".getBytes(US_ASCII));
                assertThat(RawHttp.readResponse(client.getInputStream())).startsWith("HTTP/1.1 200 ").endsWith("ok");
            }
            assertThat(seen.join()).startsWith("POST /c HTTP/1.1\r\n").endsWith("\r\n\r\nhello");
        }
    }

    private String send(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", lb.listener("web").getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(US_ASCII));
            s.getOutputStream().flush();
            return RawHttp.readResponse(s.getInputStream());
        }
    }

    private List<String> states() {
        return lb.node.status().pools().getFirst().endpoints().stream().map(e -> e.state()).toList();
    }
}
