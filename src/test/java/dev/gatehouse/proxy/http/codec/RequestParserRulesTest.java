package dev.gatehouse.proxy.http.codec;

import static dev.gatehouse.proxy.http.codec.Raw.buf;
import static dev.gatehouse.proxy.http.codec.Raw.head;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule the request parser enforces, each fed as raw bytes, with the status it must answer. */
class RequestParserRulesTest {

    private static final String HOST = "Host: example.com";

    static Stream<Arguments> violations() {
        return Stream.of(
                rule("method not a token", 400, head("G(T / HTTP/1.1", HOST)),
                rule("empty method", 400, head(" / HTTP/1.1", HOST)),
                rule("double space before target", 400, head("GET  / HTTP/1.1", HOST)),
                rule("double space before version", 400, head("GET /  HTTP/1.1", HOST)),
                rule("tab as separator", 400, head("GET\t/ HTTP/1.1", HOST)),
                rule("space after version", 400, head("GET / HTTP/1.1 ", HOST)),
                rule("space inside target", 400, head("GET /a b HTTP/1.1", HOST)),
                rule("control char in target", 400, head("GET /a\u0001b HTTP/1.1", HOST)),
                rule("DEL in target", 400, head("GET /a\u007fb HTTP/1.1", HOST)),
                rule("non-ASCII in target", 400, head("GET /caf\u00e9 HTTP/1.1", HOST)),
                rule("fragment in target", 400, head("GET /a#frag HTTP/1.1", HOST)),
                rule("relative target", 400, head("GET index.html HTTP/1.1", HOST)),
                rule("authority-form without CONNECT", 400, head("GET example.com:80 HTTP/1.1", HOST)),
                rule("asterisk-form without OPTIONS", 400, head("GET * HTTP/1.1", HOST)),
                rule("CONNECT with origin-form", 400, head("CONNECT / HTTP/1.1", HOST)),
                rule("CONNECT without port", 400, head("CONNECT example.com HTTP/1.1", HOST)),
                rule("CONNECT with path", 400, head("CONNECT example.com:443/x HTTP/1.1", HOST)),
                rule("absolute-form with userinfo", 400, head("GET http://user@example.com/ HTTP/1.1", HOST)),
                rule("absolute-form with empty authority", 400, head("GET http:///a HTTP/1.1", HOST)),
                rule("absolute-form of another scheme", 400, head("GET ftp://example.com/ HTTP/1.1", HOST)),
                rule("HTTP/2.0", 505, head("GET / HTTP/2.0", HOST)),
                rule("HTTP/3.0", 505, head("GET / HTTP/3.0", HOST)),
                rule("HTTP/0.9 style version", 505, head("GET / HTTP/0.9", HOST)),
                rule("lower-case version", 400, head("GET / http/1.1", HOST)),
                rule("version without minor", 400, head("GET / HTTP/1", HOST)),
                rule("two-digit minor", 400, head("GET / HTTP/1.10", HOST)),
                rule("missing version", 400, head("GET /", HOST)),
                rule("bare LF after request line", 400, "GET / HTTP/1.1\nHost: example.com\r\n\r\n"),
                rule("bare LF after header", 400, "GET / HTTP/1.1\r\nHost: example.com\n\r\n"),
                rule("bare LF everywhere", 400, "GET / HTTP/1.1\nHost: example.com\n\n"),
                rule("bare LF as final line", 400, "GET / HTTP/1.1\r\nHost: example.com\r\n\n"),
                rule("bare LF before request line", 400, "\nGET / HTTP/1.1\r\nHost: example.com\r\n\r\n"),
                rule("bare CR in header value", 400, head("GET / HTTP/1.1", HOST, "X-A: a\rb")),
                rule("CR CR LF line ending", 400, head("GET / HTTP/1.1\r", HOST)),
                rule("space before colon", 400, head("GET / HTTP/1.1", "Host : example.com")),
                rule("tab before colon", 400, head("GET / HTTP/1.1", HOST, "X-A\t: 1")),
                rule("header name not a token", 400, head("GET / HTTP/1.1", HOST, "X(A): 1")),
                rule("empty header name", 400, head("GET / HTTP/1.1", HOST, ": 1")),
                rule("header line without colon", 400, head("GET / HTTP/1.1", HOST, "X-A")),
                rule("control char in header value", 400, head("GET / HTTP/1.1", HOST, "X-A: a\u0001b")),
                rule("NUL in header value", 400, head("GET / HTTP/1.1", HOST, "X-A: a\u0000b")),
                rule("DEL in header value", 400, head("GET / HTTP/1.1", HOST, "X-A: a\u007fb")),
                rule("obs-fold", 400, head("GET / HTTP/1.1", HOST, "X-A: a", " b")),
                rule("obs-fold with tab", 400, head("GET / HTTP/1.1", HOST, "X-A: a", "\tb")),
                rule("whitespace line after request line", 400, head("GET / HTTP/1.1", " " + HOST)),
                rule("missing Host in HTTP/1.1", 400, head("GET / HTTP/1.1", "Accept: */*")),
                rule("two Host headers", 400, head("GET / HTTP/1.1", HOST, "Host: other.com")),
                rule("two Host headers, same value", 400, head("GET / HTTP/1.1", HOST, HOST)),
                rule("two Host headers in HTTP/1.0", 400, head("GET / HTTP/1.0", HOST, HOST)),
                rule("Host with space", 400, head("GET / HTTP/1.1", "Host: exa mple.com")),
                rule("Host with path", 400, head("GET / HTTP/1.1", "Host: example.com/x")),
                rule("Host with userinfo", 400, head("GET / HTTP/1.1", "Host: u@example.com")),
                rule("Host with bad port", 400, head("GET / HTTP/1.1", "Host: example.com:8o")),
                rule("Content-Length not digits", 400, head("POST / HTTP/1.1", HOST, "Content-Length: abc")),
                rule("Content-Length negative", 400, head("POST / HTTP/1.1", HOST, "Content-Length: -1")),
                rule("Content-Length with plus", 400, head("POST / HTTP/1.1", HOST, "Content-Length: +5")),
                rule("Content-Length hex", 400, head("POST / HTTP/1.1", HOST, "Content-Length: 0x10")),
                rule("Content-Length empty", 400, head("POST / HTTP/1.1", HOST, "Content-Length:")),
                rule("Content-Length with inner space", 400, head("POST / HTTP/1.1", HOST, "Content-Length: 1 2")),
                rule("Content-Length overflow", 400, head("POST / HTTP/1.1", HOST, "Content-Length: 99999999999999999999")),
                rule("two Content-Length, equal", 400, head("POST / HTTP/1.1", HOST, "Content-Length: 5", "Content-Length: 5")),
                rule("two Content-Length, different", 400, head("POST / HTTP/1.1", HOST, "Content-Length: 5", "Content-Length: 6")),
                rule("Content-Length list", 400, head("POST / HTTP/1.1", HOST, "Content-Length: 5, 5")),
                rule("Transfer-Encoding then Content-Length", 400,
                        head("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked", "Content-Length: 5")),
                rule("Content-Length then Transfer-Encoding", 400,
                        head("POST / HTTP/1.1", HOST, "Content-Length: 5", "Transfer-Encoding: chunked")),
                rule("Content-Length with unsupported coding", 400,
                        head("POST / HTTP/1.1", HOST, "Content-Length: 5", "Transfer-Encoding: gzip")),
                // RFC 9112 section 6.3: chunked not the final coding of a request is 400 (and close); an
                // unknown coding before a final chunked is 501
                rule("Transfer-Encoding gzip", 400, head("POST / HTTP/1.1", HOST, "Transfer-Encoding: gzip")),
                rule("Transfer-Encoding identity", 400, head("POST / HTTP/1.1", HOST, "Transfer-Encoding: identity")),
                rule("chunked not final", 400, head("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked, gzip")),
                rule("gzip before chunked", 501, head("POST / HTTP/1.1", HOST, "Transfer-Encoding: gzip, chunked")),
                rule("unknown coding with a parameter before chunked", 501,
                        head("POST / HTTP/1.1", HOST, "Transfer-Encoding: foo;q=1, chunked")),
                rule("gzip in a second header", 400,
                        head("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked", "Transfer-Encoding: gzip")),
                rule("chunked with parameter", 400, head("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked;q=1")),
                rule("empty Transfer-Encoding", 400, head("POST / HTTP/1.1", HOST, "Transfer-Encoding:")),
                rule("only commas", 400, head("POST / HTTP/1.1", HOST, "Transfer-Encoding: , ,")),
                rule("chunked twice", 400, head("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked, chunked")),
                rule("chunked in two headers", 400, head("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked", "Transfer-Encoding: chunked")),
                rule("chunked glued to another token", 400, head("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked gzip")),
                rule("quoted chunked", 400, head("POST / HTTP/1.1", HOST, "Transfer-Encoding: \"chunked\"")),
                rule("chunked with a vertical tab", 400, head("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked\u000b")),
                rule("CONNECT", 501, head("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443")),
                rule("target over a quarter of the head limit", 414, head("GET /" + "u".repeat(1100) + " HTTP/1.1", HOST)),
                rule("request line never ending", 414, "GET /" + "u".repeat(4200)),
                rule("long target in a head over the limit", 414, head("GET /" + "u".repeat(2000) + " HTTP/1.1", HOST, "X-Big: " + "a".repeat(2200))),
                rule("Transfer-Encoding in HTTP/1.0", 400, head("POST / HTTP/1.0", HOST, "Transfer-Encoding: chunked")),
                rule("Connection token with space", 400, head("GET / HTTP/1.1", HOST, "Connection: keep alive")),
                rule("Expect other than 100-continue", 417, head("POST / HTTP/1.1", HOST, "Expect: 200-ok")),
                rule("Expect empty", 417, head("POST / HTTP/1.1", HOST, "Expect:")),
                rule("101 headers", 431, withExtraHeaders(100)),
                rule("head larger than the limit", 431, head("GET / HTTP/1.1", HOST, "X-Big: " + "a".repeat(4200))),
                rule("incomplete head larger than the limit", 431, "GET / HTTP/1.1\r\n" + HOST + "\r\nX-Big: " + "a".repeat(4200)),
                rule("endless empty lines", 431, "\r\n".repeat(2100)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("violations")
    void rejects(String rule, int status, String raw) {
        RequestParser parser = new RequestParser(4096);
        ByteBuf in = buf(raw);
        try {
            assertThat(parser.parse(in)).as(rule).isEqualTo(ParseResult.ERROR);
            assertThat(parser.errorStatus()).as(rule).isEqualTo(status);
            assertThat(parser.errorReason()).as(rule).isNotBlank();
        } finally {
            in.release();
        }
    }

    private static Arguments rule(String name, int status, String raw) {
        return Arguments.of(name, status, raw);
    }

    /** A valid GET with {@code extra} headers after Host. */
    private static String withExtraHeaders(int extra) {
        StringBuilder raw = new StringBuilder("GET / HTTP/1.1\r\n" + HOST + "\r\n");
        for (int i = 1; i <= extra; i++) {
            raw.append("X-H").append(i).append(": ").append(i).append("\r\n");
        }
        return raw.append("\r\n").toString();
    }
}
