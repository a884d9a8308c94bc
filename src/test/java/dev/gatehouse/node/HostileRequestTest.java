package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and hostile requests over a raw socket: each gets the right 4xx/5xx from the proxy and
 * the backend sees nothing of it.
 */
class HostileRequestTest {

    @TempDir
    static Path dir;

    static TestNode lb;

    @BeforeAll
    static void start() throws Exception {
        lb = TestNode.start(dir, 1, """
                node: { id: lb1 }
                listeners:
                  - name: web
                    bind: 127.0.0.1:0
                    routes: [ { pool: web } ]
                    timeouts: { header_read: 300ms }
                    max_header_size: 8KiB
                pools:
                  web: { endpoints: [ { address: "${be1}" } ] }
                """);
    }

    @AfterAll
    static void stop() {
        lb.close();
    }

    static Stream<Arguments> hostile() {
        String big = "X-Pad: " + "a".repeat(9000) + "\r\n";
        return Stream.of(
                Arguments.of("two spaces in request line", "GET  / HTTP/1.1\r\nHost: t\r\n\r\n", 400, "bad_request_line"),
                Arguments.of("control char in target", "GET /a\u0001b HTTP/1.1\r\nHost: t\r\n\r\n", 400, "bad_request_line"),
                Arguments.of("space before colon", "GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400, "bad_header"),
                Arguments.of("NUL in a header", "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\u0000b\r\n\r\n", 400, "bad_header"),
                Arguments.of("obs-fold", "GET / HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n  2\r\n\r\n", 400, "obs_fold"),
                Arguments.of("bare LF", "GET / HTTP/1.1\nHost: t\n\n", 400, "bad_line_ending"),
                Arguments.of("missing Host", "GET / HTTP/1.1\r\n\r\n", 400, "bad_host"),
                Arguments.of("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "bad_host"),
                Arguments.of("CL and TE together", post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400, "conflicting_length"),
                Arguments.of("duplicate Content-Length", post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello"), 400, "conflicting_length"),
                Arguments.of("Content-Length list", post("Content-Length: 5, 5\r\n", "hello"), 400, "bad_content_length"),
                Arguments.of("Content-Length not a number", post("Content-Length: +5\r\n", "hello"), 400, "bad_content_length"),
                Arguments.of("invalid chunk size", post("Transfer-Encoding: chunked\r\n", "zz\r\nhello\r\n0\r\n\r\n"), 400, "bad_chunked_body"),
                Arguments.of("negative chunk size", post("Transfer-Encoding: chunked\r\n", "-5\r\nhello\r\n0\r\n\r\n"), 400, "bad_chunked_body"),
                Arguments.of("chunked not the final coding", post("Transfer-Encoding: gzip\r\n", ""), 400, "bad_transfer_encoding"),
                Arguments.of("chunked then gzip", post("Transfer-Encoding: chunked, gzip\r\n", "0\r\n\r\n"), 400, "bad_transfer_encoding"),
                Arguments.of("chunked twice", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400, "bad_transfer_encoding"),
                Arguments.of("unknown transfer coding", post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), 501, "unsupported_transfer_coding"),
                Arguments.of("CONNECT", "CONNECT t:443 HTTP/1.1\r\nHost: t:443\r\n\r\n", 501, "connect_method"),
                Arguments.of("unsupported Expect", post("Content-Length: 1\r\nExpect: 200-ok\r\n", "x"), 417, "unsupported_expectation"),
                Arguments.of("HTTP/2.0 request line", "GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505, "version_not_supported"),
                Arguments.of("URI of 3 KiB (over a quarter of max_header_size)", "GET /" + "u".repeat(3 * 1024) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414,
                        "uri_too_long"),
                Arguments.of("URI of 40 KiB", "GET /" + "u".repeat(40 * 1024) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414, "uri_too_long"),
                Arguments.of("headers too large", "GET / HTTP/1.1\r\nHost: t\r\n" + big + "\r\n", 431, "header_too_large"));
    }

    /** A POST to be1 with these field lines (each ending in CRLF) and this body. */
    private static String post(String fields, String body) {
        return "POST / HTTP/1.1\r\nHost: t\r\n" + fields + "\r\n" + body;
    }

    @ParameterizedTest(name = "{0} -> {2} {3}")
    @MethodSource("hostile")
    void isAnsweredByTheProxyCountedByReasonAndNeverForwarded(String name, String request, int status, String reason) throws Exception {
        long before = lb.backend("be1").requests();
        double refused = refused(reason);
        String answer = exchange(request);
        assertThat(answer).startsWith("HTTP/1.1 " + status + " ");
        assertThat(lb.backend("be1").requests()).isEqualTo(before);
        assertThat(refused(reason)).isEqualTo(refused + 1);
    }

    @Test
    void aLaterHttp1MinorVersionIsServedAsHttp11() throws Exception {
        long before = lb.backend("be1").requests();
        assertThat(exchange("GET / HTTP/1.2\r\nHost: t\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200 ");
        assertThat(lb.backend("be1").requests()).isEqualTo(before + 1);
    }

    @Test
    void aUriJustUnderTheLimitIsForwarded() throws Exception {
        String target = "/" + "u".repeat(2 * 1024 - 1); // the limit is 2 KiB for this listener's 8 KiB heads
        assertThat(exchange("GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200 ");
    }

    private static double refused(String reason) {
        return TestNode.metricSum(lb.node.metrics(), "gatehouse_listener_refused_requests_total", "listener=\"web\"", "reason=\"" + reason + "\"");
    }

    @Test
    void aHeadThatArrivesTooSlowlyGets408() throws Exception {
        long before = lb.backend("be1").requests();
        double refused = refused("request_timeout");
        try (Socket s = new Socket("127.0.0.1", lb.listener("web").getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 408 ");
        }
        assertThat(lb.backend("be1").requests()).isEqualTo(before);
        assertThat(refused("request_timeout")).isEqualTo(refused + 1);
    }

    @Test
    void aConnectionThatNeverSendsIsClosedAfterTheHeaderReadTimeoutWithoutAnAnswer() throws Exception {
        try (Socket s = new Socket("127.0.0.1", lb.listener("web").getPort())) {
            s.setSoTimeout(5000); // far below the idle timeout (60 s), which applied here before
            long start = System.nanoTime();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        }
    }

    @Test
    void aKeptAliveConnectionWaitsForItsNextRequestLongerThanTheHeaderReadTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", lb.listener("web").getPort())) {
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(5000);
            assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 ");
            s.setSoTimeout(1000); // three header-read timeouts: the idle timeout (60 s) is what applies between requests
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            out.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(5000);
            assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void aValidRequestOnTheSameListenerIsForwarded() throws Exception {
        long before = lb.backend("be1").requests();
        assertThat(exchange("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200 ");
        assertThat(lb.backend("be1").requests()).isEqualTo(before + 1);
    }

    private static String exchange(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", lb.listener("web").getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return RawHttp.readResponse(s.getInputStream());
        }
    }
}
