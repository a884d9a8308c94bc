package dev.gatehouse.node;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code access_log:} end to end: real clients through a real node to real backends, lines read from the file. */
class AccessLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final TestNodes nodes = new TestNodes();

    private static String config(String accessLog) {
        return """
                node: { id: lb1 }
                listeners:
                  - name: web
                    bind: 127.0.0.1:0
                    routes: [ { match: { path_prefix: /dead }, pool: dead }, { pool: web } ]
                    access_log: %s
                  - name: pg
                    bind: 127.0.0.1:0
                    protocol: tcp
                    pool: web
                    access_log: { path: tcp.log }
                pools:
                  web: { endpoints: [ { address: "${be1}" } ] }
                  dead: { endpoints: [ { address: "127.0.0.1:1" } ] }   # nothing listens on port 1
                """.formatted(accessLog);
    }

    /** One raw request with {@code Connection: close}; the client's local address and every byte of the response. */
    private record Exchange(InetSocketAddress client, byte[] sent, byte[] received) {}

    private static Exchange exchange(InetSocketAddress to, String path) throws IOException {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").getBytes(US_ASCII);
        try (Socket s = new Socket(to.getAddress(), to.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            InputStream in = s.getInputStream();
            return new Exchange((InetSocketAddress) s.getLocalSocketAddress(), request, in.readAllBytes());
        }
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    private static List<JsonNode> awaitLines(Path file, int n) throws IOException {
        await().atMost(WAIT).until(() -> lines(file).size() >= n);
        return lines(file);
    }

    @Test
    void anHttpRequestIsOneJsonLineWithItsFigures() throws Exception {
        TestNode lb = nodes.start(1, config("{ path: access.log }"));
        Path file = lb.configFile.resolveSibling("access.log");
        Exchange first = exchange(lb.listener("web"), "/hello");
        Exchange second = exchange(lb.listener("web"), "/dead/x");
        assertThat(new String(first.received(), US_ASCII)).startsWith("HTTP/1.1 200");
        assertThat(new String(second.received(), US_ASCII)).startsWith("HTTP/1.1 502");

        List<JsonNode> lines = awaitLines(file, 2);
        assertThat(lines).hasSize(2); // one line per request, none for a connection's close
        JsonNode ok = lines.stream().filter(l -> l.get("client").asText().endsWith(":" + first.client().getPort()))
                .findFirst().orElseThrow();
        assertThat(ok.get("client").asText()).isEqualTo("127.0.0.1:" + first.client().getPort());
        assertThat(ok.get("listener").asText()).isEqualTo("web");
        assertThat(ok.get("route").asInt()).isEqualTo(1);
        assertThat(ok.get("pool").asText()).isEqualTo("web");
        assertThat(ok.get("endpoint").asText()).isEqualTo("127.0.0.1:" + lb.backends.getFirst().port());
        assertThat(ok.get("status").asInt()).isEqualTo(200);
        assertThat(ok.get("bytes_in").asLong()).isEqualTo(first.sent().length);
        assertThat(ok.get("bytes_out").asLong()).isEqualTo(first.received().length);
        assertThat(ok.get("connect_ms").asDouble()).isGreaterThanOrEqualTo(0).isLessThan(5000);
        assertThat(ok.get("first_byte_ms").asDouble()).isGreaterThanOrEqualTo(ok.get("connect_ms").asDouble());
        assertThat(ok.get("total_ms").asDouble()).isGreaterThanOrEqualTo(ok.get("first_byte_ms").asDouble());
        assertThat(ok.get("retries").asInt()).isZero();
        assertThat(ok.get("termination").asText()).isEqualTo("--");
        assertThat(ok.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

        JsonNode refused = lines.stream().filter(l -> l != ok).findFirst().orElseThrow();
        assertThat(refused.get("status").asInt()).isEqualTo(502);
        assertThat(refused.get("route").asInt()).isZero();
        assertThat(refused.get("pool").asText()).isEqualTo("dead");
        assertThat(refused.get("endpoint").asText()).isEqualTo("127.0.0.1:1");
        assertThat(refused.get("connect_ms").isNull()).isTrue();
        assertThat(refused.get("first_byte_ms").isNull()).isTrue();
        assertThat(refused.get("bytes_out").asLong()).isEqualTo(second.received().length);
        assertThat(refused.get("termination").asText()).isEqualTo("SC");
    }

    /** What the proxy answered itself, and why, as HAProxy's termination states would say it. */
    @Test
    void refusalsAndTimeoutsCarryTheirTerminationCodes() throws Exception {
        TestNode lb = nodes.start(1, """
                node: { id: lb1 }
                listeners:
                  - name: web
                    bind: 127.0.0.1:0
                    routes: [ { pool: slow } ]
                    limits: { per_client: { requests_per_second: 0.1, burst: 1 } }   # the second request within 10 s: 429
                    access_log: { path: access.log }
                pools:
                  slow: { endpoints: [ { address: "${be1}" } ], timeouts: { request: 300ms } }
                """);
        Path file = lb.configFile.resolveSibling("access.log");
        Exchange slow = exchange(lb.listener("web"), "/slow?ms=3000");
        Exchange limited = exchange(lb.listener("web"), "/");
        Exchange malformed;
        try (Socket s = new Socket(lb.listener("web").getAddress(), lb.listener("web").getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n".getBytes(US_ASCII));
            malformed = new Exchange((InetSocketAddress) s.getLocalSocketAddress(), null, s.getInputStream().readAllBytes());
        }
        assertThat(new String(slow.received(), US_ASCII)).startsWith("HTTP/1.1 504");
        assertThat(new String(limited.received(), US_ASCII)).startsWith("HTTP/1.1 429");
        assertThat(new String(malformed.received(), US_ASCII)).startsWith("HTTP/1.1 400");

        List<JsonNode> lines = awaitLines(file, 3);
        assertThat(lines).hasSize(3);
        JsonNode timedOut = line(lines, slow);
        assertThat(timedOut.get("status").asInt()).isEqualTo(504);
        assertThat(timedOut.get("termination").asText()).isEqualTo("sH");
        assertThat(timedOut.get("total_ms").asDouble()).isBetween(300.0, 3000.0);
        assertThat(timedOut.get("first_byte_ms").isNull()).isTrue();
        JsonNode overRate = line(lines, limited);
        assertThat(overRate.get("status").asInt()).isEqualTo(429);
        assertThat(overRate.get("termination").asText()).isEqualTo("PL");
        assertThat(overRate.get("endpoint").isNull()).isTrue();
        assertThat(overRate.get("bytes_out").asLong()).isEqualTo(limited.received().length);
        JsonNode bad = line(lines, malformed);
        assertThat(bad.get("status").asInt()).isEqualTo(400);
        assertThat(bad.get("termination").asText()).isEqualTo("PR");
        assertThat(bad.get("pool").isNull()).isTrue();
        assertThat(bad.get("total_ms").isNull()).isTrue();
    }

    @Test
    void aClientThatResetsBeforeTheResponseIsLoggedAsClientClosed() throws Exception {
        TestNode lb = nodes.start(1, config("{ path: access.log }"));
        Path file = lb.configFile.resolveSibling("access.log");
        InetSocketAddress client;
        try (Socket s = new Socket(lb.listener("web").getAddress(), lb.listener("web").getPort())) {
            s.getOutputStream().write("GET /slow?ms=5000 HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(US_ASCII));
            client = (InetSocketAddress) s.getLocalSocketAddress();
            await().atMost(WAIT).until(() -> lb.backends.getFirst().requests() == 1);
            // a reset: a FIN alone is a half-close, after which the proxy still relays the whole response
            s.setSoLinger(true, 0);
        }
        JsonNode line = awaitLines(file, 1).getFirst();
        assertThat(line.get("client").asText()).isEqualTo("127.0.0.1:" + client.getPort());
        assertThat(line.get("termination").asText()).isEqualTo("CD");
        assertThat(line.get("status").isNull()).isTrue();
        assertThat(line.get("endpoint").asText()).isEqualTo("127.0.0.1:" + lb.backends.getFirst().port());
        assertThat(line.get("total_ms").asDouble()).isLessThan(5000);
    }

    private static JsonNode line(List<JsonNode> lines, Exchange e) {
        return lines.stream().filter(l -> l.get("client").asText().equals("127.0.0.1:" + e.client().getPort()))
                .findFirst().orElseThrow();
    }

    @Test
    void aTcpConnectionIsOneLineWithItsBytes() throws Exception {
        TestNode lb = nodes.start(1, config("{ path: access.log }"));
        Path file = lb.configFile.resolveSibling("tcp.log");
        Exchange e = exchange(lb.listener("pg"), "/tcp");
        assertThat(new String(e.received(), US_ASCII)).startsWith("HTTP/1.1 200");

        JsonNode line = awaitLines(file, 1).getFirst();
        assertThat(line.get("listener").asText()).isEqualTo("pg");
        assertThat(line.get("client").asText()).isEqualTo("127.0.0.1:" + e.client().getPort());
        assertThat(line.get("pool").asText()).isEqualTo("web");
        assertThat(line.get("endpoint").asText()).isEqualTo("127.0.0.1:" + lb.backends.getFirst().port());
        assertThat(line.get("status").isNull()).isTrue();
        assertThat(line.get("route").isNull()).isTrue();
        assertThat(line.get("bytes_in").asLong()).isEqualTo(e.sent().length);
        assertThat(line.get("bytes_out").asLong()).isEqualTo(e.received().length);
        assertThat(line.get("connect_ms").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(line.get("total_ms").asDouble()).isGreaterThanOrEqualTo(line.get("first_byte_ms").asDouble());
        assertThat(line.get("termination").asText()).isEqualTo("--");
        assertThat(lines(lb.configFile.resolveSibling("access.log"))).isEmpty(); // the HTTP listener's file
    }

    @Test
    void reopenWritesToTheNewFileAtThePathAfterItWasMoved() throws Exception {
        TestNode lb = nodes.start(1, config("{ path: access.log }"));
        Path file = lb.configFile.resolveSibling("access.log");
        Path rotated = lb.configFile.resolveSibling("access.log.1");
        exchange(lb.listener("web"), "/before");
        awaitLines(file, 1);
        Files.move(file, rotated); // what logrotate does before it signals
        lb.node.reopenAccessLogs(); // what SIGUSR1 calls
        exchange(lb.listener("web"), "/after");

        assertThat(awaitLines(file, 1)).singleElement().satisfies(l -> assertThat(l.get("status").asInt()).isEqualTo(200));
        assertThat(lines(rotated)).hasSize(1);
    }

    @Test
    void aReloadMovesTheLogAndChangesItsFormat() throws Exception {
        TestNode lb = nodes.start(1, config("{ path: access.log }"));
        Path json = lb.configFile.resolveSibling("access.log");
        exchange(lb.listener("web"), "/one");
        awaitLines(json, 1);

        lb.rewrite(config("{ path: access.txt, format: text }"));
        assertThat(lb.node.reloadFile()).isEmpty();
        Exchange e = exchange(lb.listener("web"), "/two");

        Path text = lb.configFile.resolveSibling("access.txt");
        await().atMost(WAIT).until(() -> Files.exists(text) && Files.readAllLines(text).size() == 1);
        String[] fields = Files.readAllLines(text).getFirst().split(" ");
        assertThat(fields).hasSize(14);
        assertThat(fields[1]).isEqualTo("127.0.0.1:" + e.client().getPort());
        assertThat(fields[2]).isEqualTo("web");
        assertThat(fields[4]).isEqualTo("web");
        assertThat(fields[6]).isEqualTo("200");
        assertThat(fields[13]).isEqualTo("--");
        assertThat(lines(json)).hasSize(1); // the old file got nothing more

        lb.rewrite(config("~"));
        assertThat(lb.node.reloadFile()).isEmpty();
        exchange(lb.listener("web"), "/three");
        exchange(lb.listener("pg"), "/tcp"); // a line in tcp.log shows the writers have had time to write
        awaitLines(lb.configFile.resolveSibling("tcp.log"), 1);
        assertThat(Files.readAllLines(text)).hasSize(1);
    }

    @Test
    void aTenPercentSampleLogsOneRequestInTen() throws Exception {
        TestNode lb = nodes.start(1, config("{ path: access.log, sample: 10% }"));
        Path file = lb.configFile.resolveSibling("access.log");
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            URI uri = URI.create(lb.url("web", "/s"));
            for (int i = 0; i < 1000; i++) {
                assertThat(client.send(HttpRequest.newBuilder(uri).timeout(WAIT).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            }
        }
        exchange(lb.listener("pg"), "/tcp"); // a line in tcp.log shows the writers have had time to write
        awaitLines(lb.configFile.resolveSibling("tcp.log"), 1);
        await().atMost(WAIT).until(() -> lines(file).size() >= 100);
        assertThat(lines(file)).hasSize(100); // the counter takes exactly every 10th
    }
}
