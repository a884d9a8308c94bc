package dev.gatehouse.proxy.http.codec;

import static dev.gatehouse.proxy.http.codec.Raw.buf;
import static dev.gatehouse.proxy.http.codec.Raw.head;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Valid requests of many shapes and the facts derived from them. */
class RequestParserTest {

    private final RequestParser parser = new RequestParser(8192);
    private final List<ByteBuf> buffers = new ArrayList<>();

    @AfterEach
    void release() {
        buffers.forEach(ByteBuf::release);
    }

    private RequestHead parse(String raw) {
        ByteBuf in = track(buf(raw));
        assertThat(parser.parse(in)).as(parser.errorReason()).isEqualTo(ParseResult.DONE);
        assertThat(in.isReadable()).isFalse();
        return parser.head();
    }

    private ByteBuf track(ByteBuf buf) {
        buffers.add(buf);
        return buf;
    }

    @Test
    void simpleGet() {
        RequestHead head = parse(head("GET /index.html HTTP/1.1", "Host: Example.COM:8080", "Accept: */*"));

        assertThat(head.method()).isEqualTo(Method.GET);
        assertThat(head.methodName()).hasToString("GET");
        assertThat(head.target()).hasToString("/index.html");
        assertThat(head.path()).hasToString("/index.html");
        assertThat(head.host()).hasToString("example.com");
        assertThat(head.minorVersion()).isEqualTo(1);
        assertThat(head.framing()).isEqualTo(Framing.NONE);
        assertThat(head.contentLength()).isEqualTo(-1);
        assertThat(head.keepAlive()).isTrue();
        assertThat(head.idempotent()).isTrue();
        assertThat(head.expectContinue()).isFalse();
        assertThat(head.upgrade()).isFalse();
        assertThat(head.header("accept")).hasToString("*/*");
        assertThat(head.header("HOST")).hasToString("Example.COM:8080");
        assertThat(head.header("X-Missing")).isNull();
    }

    @Test
    void pathStopsAtQuery() {
        RequestHead head = parse(head("GET /search/q?x=1&y=/z HTTP/1.1", "Host: a"));

        assertThat(head.target()).hasToString("/search/q?x=1&y=/z");
        assertThat(head.path()).hasToString("/search/q");
    }

    @Test
    void absoluteFormRoutesOnItsAuthority() {
        RequestHead head = parse(head("GET HTTP://API.Example.com:8443/v1/items?id=3 HTTP/1.1", "Host: ignored.example"));

        assertThat(head.target()).hasToString("HTTP://API.Example.com:8443/v1/items?id=3");
        assertThat(head.host()).hasToString("api.example.com");
        assertThat(head.path()).hasToString("/v1/items");
    }

    @Test
    void absoluteFormWithoutPathRoutesOnSlash() {
        RequestHead head = parse(head("GET https://example.com?x=1 HTTP/1.1", "Host: example.com"));

        assertThat(head.path()).hasToString("/");
        assertThat(head.host()).hasToString("example.com");
    }

    @Test
    void asteriskFormForOptions() {
        RequestHead head = parse(head("OPTIONS * HTTP/1.1", "Host: a"));

        assertThat(head.method()).isEqualTo(Method.OPTIONS);
        assertThat(head.path()).hasToString("*");
    }

    @Test
    void hostMatchesWithoutOneTrailingDot() {
        assertThat(parse(head("GET / HTTP/1.1", "Host: Other.Test.:8080")).host()).hasToString("other.test");
        assertThat(parse(head("GET http://other.test./ HTTP/1.1", "Host: x")).host()).hasToString("other.test");
    }

    @Test
    void laterHttp1MinorVersionsAreServedAs11() {
        RequestHead head = parse(head("GET / HTTP/1.2", "Host: a"));

        assertThat(head.minorVersion()).isEqualTo(1);
        assertThat(head.keepAlive()).isTrue();
    }

    @Test
    void ipv6HostKeepsBrackets() {
        assertThat(parse(head("GET / HTTP/1.1", "Host: [::1]:8080")).host()).hasToString("[::1]");
    }

    @Test
    void emptyHostIsAllowed() {
        assertThat(parse(head("GET / HTTP/1.1", "Host:")).host()).hasToString("");
    }

    @Test
    void http10WithoutHost() {
        RequestHead head = parse(head("GET / HTTP/1.0"));

        assertThat(head.minorVersion()).isZero();
        assertThat(head.host()).hasToString("");
        assertThat(head.keepAlive()).isFalse();
    }

    @Test
    void http10KeepAliveNeedsTheToken() {
        assertThat(parse(head("GET / HTTP/1.0", "Connection: Keep-Alive")).keepAlive()).isTrue();
    }

    @Test
    void connectionCloseEndsKeepAlive() {
        assertThat(parse(head("GET / HTTP/1.1", "Host: a", "Connection: foo, close")).keepAlive()).isFalse();
    }

    @Test
    void sameHeaderManyTimes() {
        RequestHead head = parse(head("GET / HTTP/1.1", "Host: a", "Accept: text/html", "accept: image/png", "ACCEPT: */*"));

        assertThat(head.headerCount()).isEqualTo(4);
        assertThat(head.header("Accept")).hasToString("text/html");
        assertThat(head.headerName(2)).hasToString("accept");
        assertThat(head.headerValue(3)).hasToString("*/*");
    }

    @Test
    void valueKeepsInnerTabsAndLosesSurroundingWhitespace() {
        RequestHead head = parse(head("GET / HTTP/1.1", "Host: a", "X-Tabs:\t a\tb c \t", "X-Empty: \t", "X-Obs: caf\u00e9"));

        assertThat(head.header("x-tabs")).hasToString("a\tb c");
        assertThat(head.header("x-empty")).hasToString("");
        assertThat(head.header("x-obs")).hasToString("caf\u00e9");
    }

    @Test
    void hundredHeadersAreAllowed() {
        String[] lines = new String[101];
        lines[0] = "GET / HTTP/1.1";
        lines[1] = "Host: a";
        for (int i = 2; i <= 100; i++) {
            lines[i] = "X-H" + i + ": " + i;
        }
        RequestHead head = parse(head(lines));

        assertThat(head.headerCount()).isEqualTo(100);
        assertThat(head.header("x-h100")).hasToString("100");
    }

    @Test
    void leadingEmptyLinesAreSkipped() {
        RequestHead head = parse("\r\n\r\n" + head("GET /x HTTP/1.1", "Host: a"));

        assertThat(head.target()).hasToString("/x");
    }

    @Test
    void contentLengthFraming() {
        RequestHead head = parse(head("POST /upload HTTP/1.1", "Host: a", "Content-Length: 0012345"));

        assertThat(head.framing()).isEqualTo(Framing.CONTENT_LENGTH);
        assertThat(head.contentLength()).isEqualTo(12345);
        assertThat(head.idempotent()).isFalse();
    }

    @Test
    void chunkedFramingIsCaseInsensitive() {
        RequestHead head = parse(head("PUT /x HTTP/1.1", "Host: a", "Transfer-Encoding: , Chunked"));

        assertThat(head.framing()).isEqualTo(Framing.CHUNKED);
        assertThat(head.idempotent()).isTrue();
    }

    @Test
    void emptyListElementsAndWhitespaceAroundChunkedAreIgnored() {
        for (String te : new String[] {", chunked", "chunked,", "CHUNKED", "chunked \t", "\tchunked", " ,, chunked ,,"}) {
            assertThat(parse(head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding:" + te)).framing()).as(te).isEqualTo(Framing.CHUNKED);
        }
    }

    @Test
    void expectContinue() {
        assertThat(parse(head("POST / HTTP/1.1", "Host: a", "Content-Length: 3", "Expect: 100-Continue")).expectContinue()).isTrue();
        assertThat(parse(head("POST / HTTP/1.0", "Content-Length: 3", "Expect: 100-continue")).expectContinue())
                .as("ignored for HTTP/1.0").isFalse();
    }

    @Test
    void websocketUpgrade() {
        String key = "Sec-WebSocket-Key: " + Raw.WS_KEY;
        String v13 = "Sec-WebSocket-Version: 13";
        RequestHead head = parse(head("GET /chat HTTP/1.1", "Host: a", "Connection: keep-alive, Upgrade", "Upgrade: WebSocket", key, v13));

        assertThat(head.upgrade()).isTrue();
        assertThat(parse(head("GET /chat HTTP/1.1", "Host: a", "Upgrade: websocket", key, v13)).upgrade())
                .as("without Connection: upgrade").isFalse();
        assertThat(parse(head("GET /chat HTTP/1.0", "Connection: upgrade", "Upgrade: websocket", key, v13)).upgrade())
                .as("HTTP/1.0").isFalse();
        assertThat(parse(head("POST /chat HTTP/1.1", "Host: a", "Connection: upgrade", "Upgrade: websocket", key, v13)).upgrade())
                .as("not GET").isFalse();
        assertThat(parse(head("GET /chat HTTP/1.1", "Host: a", "Connection: upgrade", "Upgrade: websocket", v13)).upgrade())
                .as("no key").isFalse();
        assertThat(parse(head("GET /chat HTTP/1.1", "Host: a", "Connection: upgrade", "Upgrade: websocket", key, "Sec-WebSocket-Version: 8")).upgrade())
                .as("version 8").isFalse();
        assertThat(parse(head("GET /chat HTTP/1.1", "Host: a", "Connection: upgrade", "Upgrade: websocket", "Sec-WebSocket-Key: short==", v13)).upgrade())
                .as("key not 16 bytes").isFalse();
        assertThat(parse(head("GET / HTTP/1.1", "Host: a", "Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c", "HTTP2-Settings: AAMAAABkAAQAAP__")).upgrade())
                .as("h2c").isFalse();
    }

    @Test
    void methods() {
        assertThat(parse(head("PATCH / HTTP/1.1", "Host: a")).method()).isEqualTo(Method.PATCH);
        assertThat(parse(head("TRACE / HTTP/1.1", "Host: a")).idempotent()).isTrue();
        assertThat(parse(head("HEAD / HTTP/1.1", "Host: a")).method()).isEqualTo(Method.HEAD);
        assertThat(parse(head("DELETE / HTTP/1.1", "Host: a")).idempotent()).isTrue();
        RequestHead purge = parse(head("PURGE / HTTP/1.1", "Host: a"));
        assertThat(purge.method()).isEqualTo(Method.OTHER);
        assertThat(purge.methodName()).hasToString("PURGE");
        assertThat(purge.idempotent()).isFalse();
        assertThat(parse(head("get / HTTP/1.1", "Host: a")).method()).as("methods are case-sensitive").isEqualTo(Method.OTHER);
    }

    @Test
    void cookies() {
        RequestHead head = parse(head("GET / HTTP/1.1", "Host: a", "Cookie: a=1; GH_ROUTE=\"b2\";c=3;flag", "Cookie: d=4"));

        assertThat(head.cookie("a")).hasToString("1");
        assertThat(head.cookie("GH_ROUTE")).hasToString("b2");
        assertThat(head.cookie("c")).hasToString("3");
        assertThat(head.cookie("d")).hasToString("4");
        assertThat(head.cookie("A")).as("names are case-sensitive").isNull();
        assertThat(head.cookie("flag")).isNull();
        assertThat(head.cookie("x")).isNull();
    }

    @Test
    void tenPipelinedRequestsParseOneAfterTheOther() {
        StringBuilder raw = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            raw.append(head("GET /r" + i + " HTTP/1.1", "Host: h" + i));
        }
        ByteBuf in = track(buf(raw.toString()));

        for (int i = 0; i < 10; i++) {
            assertThat(parser.parse(in)).isEqualTo(ParseResult.DONE);
            assertThat(parser.head().path()).hasToString("/r" + i);
            assertThat(parser.head().host()).hasToString("h" + i);
        }
        assertThat(in.isReadable()).isFalse();
        assertThat(parser.parse(in)).isEqualTo(ParseResult.NEED_MORE);
    }

    @Test
    void incompleteHeadConsumesNothing() {
        ByteBuf in = track(Unpooled.buffer());
        in.writeCharSequence("GET / HTTP/1.1\r\nHost: a\r\n", StandardCharsets.US_ASCII);

        assertThat(parser.parse(in)).isEqualTo(ParseResult.NEED_MORE);
        assertThat(in.readerIndex()).isZero();
        in.writeCharSequence("\r\nGET /next", StandardCharsets.US_ASCII);
        assertThat(parser.parse(in)).isEqualTo(ParseResult.DONE);
        assertThat(Raw.text(in)).isEqualTo("GET /next");
    }

    @Test
    void headOfExactlyTheLimitIsAccepted() {
        String prefix = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: ";
        String raw = prefix + "p".repeat(256 - prefix.length() - 4) + "\r\n\r\n";
        RequestParser small = new RequestParser(256);

        assertThat(raw).hasSize(256);
        assertThat(small.parse(track(buf(raw)))).isEqualTo(ParseResult.DONE);
        assertThat(small.parse(track(buf(raw.replace("X-Pad: ", "X-Pad:  "))))).isEqualTo(ParseResult.ERROR);
        assertThat(small.errorStatus()).isEqualTo(431);
    }
}
