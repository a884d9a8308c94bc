package dev.gatehouse.proxy.http.codec;

import static dev.gatehouse.proxy.http.codec.Raw.head;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Backend responses: framing per status and request method, interim responses, and the head relayed to the client. */
class ResponseParserTest {

    private final ResponseParser parser = new ResponseParser(8192);
    private final List<ByteBuf> buffers = new ArrayList<>();

    @AfterEach
    void release() {
        buffers.forEach(ByteBuf::release);
    }

    private ResponseHead parse(String raw, boolean requestWasHead) {
        return parse(raw, Raw.request(requestWasHead ? "HEAD" : "GET"));
    }

    private ResponseHead parse(String raw, RequestHead request) {
        ByteBuf in = track(Raw.buf(raw));
        assertThat(parser.parse(in, request)).as(parser.errorReason()).isEqualTo(ParseResult.DONE);
        return parser.head();
    }

    private ByteBuf track(ByteBuf buf) {
        buffers.add(buf);
        return buf;
    }

    @Test
    void contentLengthResponse() {
        ResponseHead head = parse(head("HTTP/1.1 200 OK", "Content-Length: 42", "Content-Type: text/plain"), false);

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.reason()).hasToString("OK");
        assertThat(head.framing()).isEqualTo(Framing.CONTENT_LENGTH);
        assertThat(head.contentLength()).isEqualTo(42);
        assertThat(head.keepAlive()).isTrue();
        assertThat(head.mustCloseClient()).isFalse();
        assertThat(head.interim()).isFalse();
        assertThat(head.header("content-type")).hasToString("text/plain");
    }

    @Test
    void chunkedResponse() {
        assertThat(parse(head("HTTP/1.1 200 OK", "Transfer-Encoding: chunked"), false).framing()).isEqualTo(Framing.CHUNKED);
    }

    @Test
    void responseWithoutLengthRunsUntilClose() {
        ResponseHead head = parse(head("HTTP/1.1 200 OK", "Content-Type: text/html"), false);

        assertThat(head.framing()).isEqualTo(Framing.CLOSE_DELIMITED);
        assertThat(head.keepAlive()).isFalse();
        assertThat(head.mustCloseClient()).isTrue();
    }

    @Test
    void responseToHeadHasNoBody() {
        ResponseHead head = parse(head("HTTP/1.1 200 OK", "Content-Length: 1000"), true);

        assertThat(head.framing()).isEqualTo(Framing.NONE);
        assertThat(head.contentLength()).isEqualTo(1000);
        assertThat(head.keepAlive()).isTrue();
        assertThat(parse(head("HTTP/1.1 200 OK"), true).mustCloseClient()).as("no length needed").isFalse();
    }

    @Test
    void noContentAndNotModifiedHaveNoBody() {
        assertThat(parse(head("HTTP/1.1 204 No Content"), false).framing()).isEqualTo(Framing.NONE);
        ResponseHead notModified = parse(head("HTTP/1.1 304 Not Modified", "Content-Length: 500"), false);
        assertThat(notModified.framing()).isEqualTo(Framing.NONE);
        assertThat(notModified.keepAlive()).isTrue();
    }

    @Test
    void switchingProtocols() {
        ResponseHead head = parse(head("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Accept: " + Raw.WS_ACCEPT), Raw.webSocketRequest());

        assertThat(head.upgrade()).isTrue();
        assertThat(head.interim()).isFalse();
        assertThat(head.framing()).isEqualTo(Framing.NONE);
        assertThat(head.keepAlive()).isFalse();
    }

    @Test
    void continueThenFinalResponse() {
        ByteBuf in = track(Raw.buf("HTTP/1.1 100 Continue\r\n\r\n" + head("HTTP/1.1 201 Created", "Content-Length: 2") + "ok"));

        assertThat(parser.parse(in, Raw.request("GET"))).isEqualTo(ParseResult.DONE);
        assertThat(parser.head().status()).isEqualTo(100);
        assertThat(parser.head().interim()).isTrue();
        assertThat(parser.head().framing()).isEqualTo(Framing.NONE);
        assertThat(parser.parse(in, Raw.request("GET"))).isEqualTo(ParseResult.DONE);
        assertThat(parser.head().status()).isEqualTo(201);
        assertThat(parser.head().interim()).isFalse();
        assertThat(Raw.text(in)).isEqualTo("ok");
    }

    @Test
    void earlyHintsAreInterimToo() {
        assertThat(parse(head("HTTP/1.1 103 Early Hints", "Link: </style.css>; rel=preload"), false).interim()).isTrue();
    }

    @Test
    void http10KeepAlive() {
        assertThat(parse(head("HTTP/1.0 200 OK", "Content-Length: 1"), false).keepAlive()).isFalse();
        assertThat(parse(head("HTTP/1.0 200 OK", "Content-Length: 1", "Connection: keep-alive"), false).keepAlive()).isTrue();
        assertThat(parse(head("HTTP/1.1 200 OK", "Content-Length: 1", "Connection: close"), false).keepAlive()).isFalse();
    }

    @Test
    void reasonMayBeEmptyOrMissing() {
        assertThat(parse(head("HTTP/1.1 404 "), false).reason()).hasToString("");
        assertThat(parse(head("HTTP/1.1 404"), false).status()).isEqualTo(404);
        assertThat(parse(head("HTTP/1.1 404 Not\tFound here"), false).reason()).hasToString("Not\tFound here");
    }

    static Stream<Arguments> badResponses() {
        return Stream.of(
                Arguments.of("two Content-Length", head("HTTP/1.1 200 OK", "Content-Length: 1", "Content-Length: 1")),
                Arguments.of("Content-Length list", head("HTTP/1.1 200 OK", "Content-Length: 1, 1")),
                Arguments.of("Content-Length not digits", head("HTTP/1.1 200 OK", "Content-Length: 1a")),
                Arguments.of("TE and CL", head("HTTP/1.1 200 OK", "Content-Length: 1", "Transfer-Encoding: chunked")),
                Arguments.of("TE gzip", head("HTTP/1.1 200 OK", "Transfer-Encoding: gzip")),
                Arguments.of("TE in HTTP/1.0", head("HTTP/1.0 200 OK", "Transfer-Encoding: chunked")),
                Arguments.of("two-digit status", head("HTTP/1.1 20 OK")),
                Arguments.of("status 600", head("HTTP/1.1 600 Odd")),
                Arguments.of("status 099", head("HTTP/1.1 099 Odd")),
                Arguments.of("HTTP/2", head("HTTP/2 200 OK")),
                Arguments.of("HTTP/2.0", head("HTTP/2.0 200 OK")),
                Arguments.of("no space after version", head("HTTP/1.1200 OK")),
                Arguments.of("control char in reason", head("HTTP/1.1 200 O\u0001K")),
                Arguments.of("bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\n\n"),
                Arguments.of("obs-fold", head("HTTP/1.1 200 OK", "X-A: 1", " 2")),
                Arguments.of("space before colon", head("HTTP/1.1 200 OK", "Content-Length : 1")),
                Arguments.of("head too large", head("HTTP/1.1 200 OK", "X-Big: " + "b".repeat(9000))));
    }

    static Stream<Arguments> badUpgrades() {
        String accept = "Sec-WebSocket-Accept: " + Raw.WS_ACCEPT;
        return Stream.of(
                Arguments.of("101 to a request that asked for no upgrade", Raw.request("GET"),
                        head("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", accept)),
                Arguments.of("101 without Sec-WebSocket-Accept", Raw.webSocketRequest(),
                        head("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade")),
                Arguments.of("101 with the wrong accept", Raw.webSocketRequest(),
                        head("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
                                "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=")),
                Arguments.of("101 to another protocol", Raw.webSocketRequest(),
                        head("HTTP/1.1 101 Switching Protocols", "Upgrade: h2c", "Connection: Upgrade", accept)),
                Arguments.of("101 without Connection: upgrade", Raw.webSocketRequest(),
                        head("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", accept)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badUpgrades")
    void refusesA101ThatIsNotTheWebSocketHandshakeAskedFor(String rule, RequestHead request, String raw) {
        assertThat(parser.parse(track(Raw.buf(raw)), request)).as(rule).isEqualTo(ParseResult.ERROR);
        assertThat(parser.errorStatus()).isEqualTo(502);
    }

    @Test
    void framingIsForwardedAsParsedAndALaterMinorVersionAsHttp11() {
        assertThat(downstream(head("HTTP/1.1 200 OK", "Transfer-Encoding: ,Chunked ", "Server: s"), false, true, false, null))
                .isEqualTo(head("HTTP/1.1 200 OK", "Server: s", "Transfer-Encoding: chunked"));
        assertThat(downstream(head("HTTP/1.3 200 OK", "Content-Length: 2 ", "Server: s"), false, true, false, null))
                .isEqualTo(head("HTTP/1.1 200 OK", "Server: s", "Content-Length: 2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badResponses")
    void rejectsBadResponsesWith502(String rule, String raw) {
        assertThat(parser.parse(track(Raw.buf(raw)), Raw.request("GET"))).as(rule).isEqualTo(ParseResult.ERROR);
        assertThat(parser.errorStatus()).isEqualTo(502);
        assertThat(parser.errorReason()).isNotBlank();
    }

    private String downstream(String raw, boolean requestWasHead, boolean keepAliveClient, boolean clientHttp10, CharSequence extra) {
        ResponseHead head = parse(raw, requestWasHead);
        ByteBuf out = track(Unpooled.buffer());
        head.writeDownstream(out, keepAliveClient, clientHttp10, extra);
        return Raw.text(out);
    }

    @Test
    void downstreamDropsHopByHopAndAddsTheExtraLine() {
        String raw = head("HTTP/1.1 200 OK", "Content-Length: 2", "Connection: keep-alive, X-Internal", "Keep-Alive: timeout=5",
                "X-Internal: 1", "Server: backend", "Upgrade: h2c", "Proxy-Connection: close");

        assertThat(downstream(raw, false, true, false, "Set-Cookie: GH_ROUTE=b2; Path=/"))
                .isEqualTo(head("HTTP/1.1 200 OK", "Server: backend", "Content-Length: 2", "Set-Cookie: GH_ROUTE=b2; Path=/"));
    }

    @Test
    void downstreamConnectionHeader() {
        String raw = head("HTTP/1.1 200 OK", "Content-Length: 2");

        assertThat(downstream(raw, false, false, false, null)).isEqualTo(head("HTTP/1.1 200 OK", "Content-Length: 2", "Connection: close"));
        assertThat(downstream(raw, false, true, true, null)).isEqualTo(head("HTTP/1.1 200 OK", "Content-Length: 2", "Connection: keep-alive"));
        assertThat(downstream(raw, false, true, false, null)).isEqualTo(raw);
    }

    @Test
    void closeDelimitedResponseClosesTheClient() {
        assertThat(downstream(head("HTTP/1.0 200 OK", "Connection: close"), false, true, false, null))
                .isEqualTo(head("HTTP/1.0 200 OK", "Connection: close"));
    }

    @Test
    void switchingProtocolsKeepsUpgrade() {
        String raw = head("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");

        ResponseHead head = parse(raw, Raw.webSocketRequest());
        ByteBuf out = track(Unpooled.buffer());
        head.writeDownstream(out, false, false, null);
        assertThat(Raw.text(out)).isEqualTo(head("HTTP/1.1 101 Switching Protocols",
                "Upgrade: websocket", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "Connection: upgrade"));
    }

    @Test
    void interimResponseGetsNoConnectionHeader() {
        assertThat(downstream("HTTP/1.1 100 Continue\r\n\r\n", false, false, true, null)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
    }
}
