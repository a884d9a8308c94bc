package dev.gatehouse.node;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * Passive health end to end, without active checks: an endpoint whose port refuses connections is ejected
 * after {@code consecutive_failures} failed connects, on an HTTP and on a TCP listener, and later requests
 * never try it again (a listener opened on its port afterwards is not connected to); on HTTP, malformed
 * response heads and bodies cut short count as failures too.
 */
@Timeout(60)
class PassiveEjectionTest {

    private static final String CONFIG = """
            node: { id: lb1 }
            listeners:
              - { name: web, bind: 127.0.0.1:0, routes: [ { pool: web } ] }
              - { name: raw, bind: 127.0.0.1:0, protocol: tcp, pool: web }
            pools:
              web:
                endpoints: [ { address: "${be1}" }, { address: "DEAD" } ]
                outlier: { consecutive_failures: 3, base_ejection: 60s }
                retries: 1
            """;

    @RegisterExtension
    final TestNodes nodes = new TestNodes();

    TestNode lb;
    String dead;

    @Test
    void httpEjectsAnEndpointThatRefusesConnections() throws Exception {
        int deadPort = start();
        try (HttpClient http = HttpClient.newHttpClient()) {
            int served = 0;
            for (int i = 0; i < 30; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(lb.url("web", "/"))).build(),
                        HttpResponse.BodyHandlers.ofString());
                served += r.statusCode() == 200 && r.body().startsWith("hello from be1") ? 1 : 0;
            }
            assertThat(served).isEqualTo(30);
            await().atMost(Duration.ofSeconds(5)).until(() -> lb.endpointState(dead).equals("ejected"));
            long failedConnects = lb.upstreamErrors(dead, "connect");
            System.out.printf("HTTP: %s ejected after %d failed connects of 30 requests%n", dead, failedConnects);
            // The third failure ejects it; a request that picked it before the ejection was published pays one more.
            assertThat(failedConnects).isBetween(3L, 4L);

            try (ServerSocketChannel revived = listenOn(deadPort)) {
                for (int i = 0; i < 30; i++) {
                    assertThat(http.send(HttpRequest.newBuilder(URI.create(lb.url("web", "/"))).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                }
                assertThat(acceptedConnections(revived)).as("connections to the ejected endpoint").isZero();
            }
            assertThat(lb.upstreamErrors(dead, "connect")).isEqualTo(failedConnects);
            assertThat(lb.backend("be1").requests()).isEqualTo(60);
        }
    }

    @Test
    void tcpEjectsAnEndpointThatRefusesConnections() throws Exception {
        int deadPort = start();
        int served = 0;
        for (int i = 0; i < 30; i++) {
            served += tcpGet().startsWith("HTTP/1.1 200 ") ? 1 : 0;
        }
        assertThat(served).isEqualTo(30);
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.endpointState(dead).equals("ejected"));

        try (ServerSocketChannel revived = listenOn(deadPort)) {
            for (int i = 0; i < 30; i++) {
                assertThat(tcpGet()).startsWith("HTTP/1.1 200 ");
            }
            assertThat(acceptedConnections(revived)).as("connections to the ejected endpoint").isZero();
        }
        assertThat(lb.backend("be1").requests()).isEqualTo(60);
    }

    @Test
    void httpCountsMalformedResponseHeadsAndCutBodiesAgainstTheEndpoint() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket bad = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> serveBadly(bad, connections));
            dead = "127.0.0.1:" + bad.getLocalPort();
            lb = nodes.start(1, CONFIG.replace("DEAD", dead));
            try (HttpClient http = HttpClient.newHttpClient()) {
                int failed = 0;
                for (int i = 0; i < 30; i++) {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(lb.url("web", "/"))).build(),
                                HttpResponse.BodyHandlers.ofString());
                        failed += r.statusCode() == 200 ? 0 : 1;
                    } catch (IOException cutMidBody) {
                        failed++;
                    }
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> lb.endpointState(dead).equals("ejected"));
                System.out.printf("HTTP: a backend with malformed heads and cut bodies ejected after %d connections, %d of 30 requests failed%n",
                        connections.get(), failed);
                assertThat(connections.get()).isBetween(3, 4);
                assertThat(failed).isEqualTo(connections.get());
                for (int i = 0; i < 10; i++) {
                    assertThat(http.send(HttpRequest.newBuilder(URI.create(lb.url("web", "/"))).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                }
            }
            assertThat(connections.get()).as("connections once ejected").isBetween(3, 4);
        }
    }

    /** Answers the 1st, 3rd... connection with a malformed head and the others with a body cut short. */
    private static void serveBadly(ServerSocket server, AtomicInteger connections) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                int n = connections.incrementAndGet();
                RawHttp.readHead(s.getInputStream());
                String answer = n % 2 == 1 ? "HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok"
                        : "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ncut short";
                s.getOutputStream().write(answer.getBytes(US_ASCII));
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Starts the node with be1 and an endpoint on a port nobody listens on; returns that port. */
    private int start() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        dead = "127.0.0.1:" + port;
        lb = nodes.start(1, CONFIG.replace("DEAD", dead));
        return port;
    }

    /** One HTTP request over the TCP listener, read to the backend's close. */
    private String tcpGet() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(lb.listener("raw"), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".getBytes(US_ASCII));
            return new String(s.getInputStream().readAllBytes(), US_ASCII);
        }
    }

    private static ServerSocketChannel listenOn(int port) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server.configureBlocking(false);
        return server;
    }

    /** Connections the kernel completed on {@code server} (non-blocking: what is queued now). */
    private static int acceptedConnections(ServerSocketChannel server) throws IOException {
        int n = 0;
        SocketChannel c;
        while ((c = server.accept()) != null) {
            c.close();
            n++;
        }
        return n;
    }
}
