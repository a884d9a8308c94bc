package dev.gatehouse.node;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.admin.StatusReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-client limits on an HTTP listener, end to end: real clients on loopback (distinct source addresses in
 * 127.0.0.0/8 are distinct clients), a real node and backend. The rate is one token per 10 s so no request of a
 * test can earn a new one however slow the machine.
 */
class ClientLimitsTest {

    static final String CONFIG = """
            node: { id: lb1 }
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes: [ { pool: web } ]
                limits: { per_client: { requests_per_second: 0.1, burst: BURST, connections: CONNS } }
            pools:
              web: { endpoints: [ { address: "${be1}" } ] }
            """;

    private static final String GET = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
    private static final Pattern RETRY_AFTER = Pattern.compile("\r\nRetry-After: (\\d+)\r\n");

    @RegisterExtension
    final TestNodes nodes = new TestNodes();

    TestNode lb;

    private static String config(int burst, int connections) {
        return CONFIG.replace("BURST", Integer.toString(burst)).replace("CONNS", Integer.toString(connections));
    }

    @Test
    void overItsRateAClientGets429WithRetryAfterNothingReachesTheBackendAndTheConnectionStaysUsable() throws Exception {
        lb = nodes.start(1, config(2, 0));
        try (Socket s = client("127.0.0.1")) {
            // Four pipelined requests: two tokens, then two refusals on the same connection.
            send(s, GET + GET + GET + GET);
            InputStream in = s.getInputStream();
            assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 200");
            assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 200");
            String refused = RawHttp.readResponse(in);
            assertThat(refused).startsWith("HTTP/1.1 429 Too Many Requests").doesNotContain("Connection: close")
                    .contains("rate limit");
            assertThat(retryAfter(refused)).isBetween(1, 10);
            assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 429");

            send(s, GET);
            assertThat(RawHttp.readResponse(in)).as("still usable").startsWith("HTTP/1.1 429");
        }
        assertThat(lb.backend("be1").requests()).isEqualTo(2);

        // Another client address has a bucket of its own.
        try (Socket other = client("127.0.0.2")) {
            send(other, GET);
            assertThat(RawHttp.readResponse(other.getInputStream())).startsWith("HTTP/1.1 200");
        }
        assertThat(lb.backend("be1").requests()).isEqualTo(3);
        assertThat(lb.node.metrics()).contains("gatehouse_listener_rate_limited_total{listener=\"web\"} 3.0")
                .contains("gatehouse_listener_requests_total{class=\"4xx\",listener=\"web\"} 3.0");
        StatusReport.LimitStatus status = lb.node.status().listeners().getFirst().limits();
        assertThat(status.requestsPerSecond()).isEqualTo(0.1);
        assertThat(status.burst()).isEqualTo(2);
        assertThat(status.refusedByRate()).isEqualTo(3);
        assertThat(status.trackedClients()).isEqualTo(2);
    }

    @Test
    void aRefusedRequestWithABodyClosesTheConnection() throws Exception {
        lb = nodes.start(1, config(1, 0));
        try (Socket s = client("127.0.0.1")) {
            send(s, GET);
            assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
            send(s, "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 429").contains("Connection: close");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(lb.backend("be1").requests()).isEqualTo(1);
    }

    @Test
    void overItsConnectionCapAClientGets429AndCloseUntilOneOfItsConnectionsEnds() throws Exception {
        lb = nodes.start(1, config(100, 2));
        Socket first = client("127.0.0.1");
        Socket second = client("127.0.0.1");
        // accepted connections are set up on their own event loops: be sure these two are counted before a third
        for (Socket counted : new Socket[] {first, second}) {
            send(counted, GET);
            assertThat(RawHttp.readResponse(counted.getInputStream())).startsWith("HTTP/1.1 200");
        }
        try (Socket third = client("127.0.0.1")) {
            String answer = RawHttp.readResponse(third.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 429").contains("Retry-After: 1").contains("Connection: close");
            assertThat(third.getInputStream().read()).isEqualTo(-1);
        }
        try (Socket otherClient = client("127.0.0.3")) {
            send(otherClient, GET);
            assertThat(RawHttp.readResponse(otherClient.getInputStream())).startsWith("HTTP/1.1 200");
        }
        send(second, GET);
        assertThat(RawHttp.readResponse(second.getInputStream())).startsWith("HTTP/1.1 200");

        first.close();
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
            try (Socket next = client("127.0.0.1")) {
                send(next, GET);
                assertThat(RawHttp.readResponse(next.getInputStream())).startsWith("HTTP/1.1 200");
            }
        });
        second.close();
        assertThat(lb.node.metrics()).containsPattern("gatehouse_listener_client_cap_refused_total\\{listener=\"web\"} [1-9]");
    }

    @Test
    void aReloadChangesTheLimitsOfOpenConnectionsAndNewOnes() throws Exception {
        lb = nodes.start(1, config(1, 1));
        try (Socket s = client("127.0.0.1")) {
            send(s, GET + GET);
            assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
            assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 429");
            try (Socket overCap = client("127.0.0.1")) {
                assertThat(RawHttp.readResponse(overCap.getInputStream())).startsWith("HTTP/1.1 429");
            }

            // A new burst refills every bucket; the cap of two admits a second connection beside this one.
            lb.rewrite(config(3, 2));
            assertThat(lb.node.reloadFile()).isEmpty();
            send(s, GET + GET);
            assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
            assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
            try (Socket second = client("127.0.0.1")) {
                send(second, GET + GET);
                assertThat(RawHttp.readResponse(second.getInputStream())).startsWith("HTTP/1.1 200");
                assertThat(RawHttp.readResponse(second.getInputStream())).startsWith("HTTP/1.1 429");
            }

            // Limits removed: nothing is refused, on open connections or new ones.
            lb.rewrite(config(1, 1).replace("limits: { per_client: { requests_per_second: 0.1, burst: 1, connections: 1 } }",
                    "limits: { max_connections: 100 }"));
            assertThat(lb.node.reloadFile()).isEmpty();
            send(s, GET + GET + GET);
            for (int i = 0; i < 3; i++) {
                assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
            }
        }
        assertThat(lb.backend("be1").requests()).isEqualTo(1 + 3 + 3);
    }

    private Socket client(String from) throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(5_000);
        s.bind(new InetSocketAddress(from, 0));
        s.connect(lb.listener("web"), 2_000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(US_ASCII));
        out.flush();
    }

    private static int retryAfter(String response) {
        Matcher m = RETRY_AFTER.matcher(response);
        assertThat(m.find()).as("Retry-After in %s", response).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
