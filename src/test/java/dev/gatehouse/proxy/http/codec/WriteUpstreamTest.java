package dev.gatehouse.proxy.http.codec;

import static dev.gatehouse.proxy.http.codec.Raw.head;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

/** The exact bytes sent to the backend for a parsed request. */
class WriteUpstreamTest {

    private final RequestParser parser = new RequestParser(8192);

    private String upstream(String raw, CharSequence clientIp, boolean keepAliveUpstream) {
        return upstream(raw, clientIp, keepAliveUpstream, false, null);
    }

    private String upstream(String raw, CharSequence clientIp, boolean keepAliveUpstream, boolean https, String subject) {
        ByteBuf in = Raw.buf(raw);
        ByteBuf out = Unpooled.buffer();
        try {
            assertThat(parser.parse(in)).as(parser.errorReason()).isEqualTo(ParseResult.DONE);
            parser.head().writeUpstream(out, clientIp, keepAliveUpstream, https, subject);
            return Raw.text(out);
        } finally {
            in.release();
            out.release();
        }
    }

    @Test
    void dropsHopByHopAndAppendsForwardingHeaders() {
        String raw = head("GET /a?b=1 HTTP/1.1",
                "Host: example.com",
                "Connection: keep-alive, X-Secret",
                "Keep-Alive: timeout=5",
                "x-secret: s",
                "Accept:   */*  ",
                "Proxy-Connection: keep-alive",
                "TE: trailers",
                "X-Forwarded-For: 10.0.0.1",
                "X-Forwarded-Proto: https",
                "Upgrade: h2c",
                "HTTP2-Settings: AAMAAABkAAQAAP__",
                "User-Agent: t");

        assertThat(upstream(raw, "192.0.2.7", true)).isEqualTo(head("GET /a?b=1 HTTP/1.1",
                "Host: example.com",
                "Accept:   */*  ",
                "User-Agent: t",
                "X-Forwarded-For: 10.0.0.1, 192.0.2.7",
                "X-Forwarded-Proto: http"));
    }

    @Test
    void aClientCertificatesSubjectIsSentAndOneTheClientWroteNever() {
        String raw = head("GET / HTTP/1.1", "Host: a", "X-Client-Cert-Subject: CN=forged", "x-client-cert-subject: CN=also");
        assertThat(upstream(raw, "192.0.2.7", true, true, "CN=client.test,O=Shop"))
                .isEqualTo(head("GET / HTTP/1.1", "Host: a", "X-Forwarded-For: 192.0.2.7", "X-Forwarded-Proto: https",
                        "X-Client-Cert-Subject: CN=client.test,O=Shop"));
        assertThat(upstream(raw, "192.0.2.7", true, true, null)).as("no certificate: no subject, and none forged")
                .isEqualTo(head("GET / HTTP/1.1", "Host: a", "X-Forwarded-For: 192.0.2.7", "X-Forwarded-Proto: https"));
    }

    @Test
    void closesUpstreamWhenNotReused() {
        assertThat(upstream(head("GET / HTTP/1.1", "Host: a"), new AsciiString("203.0.113.9"), false))
                .isEqualTo(head("GET / HTTP/1.1", "Host: a", "Connection: close",
                        "X-Forwarded-For: 203.0.113.9", "X-Forwarded-Proto: http"));
    }

    @Test
    void joinsSeveralForwardedForHeaders() {
        String raw = head("GET / HTTP/1.1", "X-Forwarded-For: 10.0.0.1", "Host: a", "x-forwarded-for: 10.0.0.2, 10.0.0.3", "X-Forwarded-For:");

        assertThat(upstream(raw, "::1", true)).isEqualTo(head("GET / HTTP/1.1", "Host: a",
                "X-Forwarded-For: 10.0.0.1, 10.0.0.2, 10.0.0.3, ::1", "X-Forwarded-Proto: http"));
    }

    @Test
    void keepsTheUpgradeOfAnUpgradeRequest() {
        String raw = head("GET /chat HTTP/1.1", "Host: a", "Connection: Upgrade", "Upgrade: websocket",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13");

        assertThat(upstream(raw, "127.0.0.1", false)).isEqualTo(head("GET /chat HTTP/1.1", "Host: a", "Upgrade: websocket",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13", "Connection: upgrade",
                "X-Forwarded-For: 127.0.0.1", "X-Forwarded-Proto: http"));
    }

    @Test
    void asksAnHttp10BackendToKeepTheConnection() {
        assertThat(upstream(head("GET / HTTP/1.0", "Connection: keep-alive"), "127.0.0.1", true))
                .isEqualTo(head("GET / HTTP/1.0", "Connection: keep-alive", "X-Forwarded-For: 127.0.0.1", "X-Forwarded-Proto: http"));
    }

    @Test
    void keepsFramingEvenWhenConnectionNamesIt() {
        String raw = head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked", "Connection: Transfer-Encoding, Host");

        assertThat(upstream(raw, "127.0.0.1", true)).isEqualTo(head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked",
                "X-Forwarded-For: 127.0.0.1", "X-Forwarded-Proto: http"));
        assertThat(upstream(head("POST / HTTP/1.1", "Host: a", "Content-Length: 3", "Connection: content-length"), "127.0.0.1", true))
                .isEqualTo(head("POST / HTTP/1.1", "Host: a", "Content-Length: 3", "X-Forwarded-For: 127.0.0.1", "X-Forwarded-Proto: http"));
    }

    @Test
    void forwardsTransferEncodingAsParsedNeverAsReceived() {
        for (String te : new String[] {", chunked", "chunked,", "CHUNKED", "chunked \t", "\tchunked", "chunked , "}) {
            String raw = head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding:" + te, "X-After: 1");

            assertThat(upstream(raw, "127.0.0.1", true)).as(te).isEqualTo(head("POST / HTTP/1.1", "Host: a", "X-After: 1",
                    "Transfer-Encoding: chunked", "X-Forwarded-For: 127.0.0.1", "X-Forwarded-Proto: http"));
        }
        assertThat(upstream(head("POST / HTTP/1.1", "Host: a", "Content-Length:  007 \t"), "127.0.0.1", true))
                .isEqualTo(head("POST / HTTP/1.1", "Host: a", "Content-Length: 007", "X-Forwarded-For: 127.0.0.1", "X-Forwarded-Proto: http"));
    }

    @Test
    void absoluteFormGoesToTheBackendInOriginFormWithHostFromTheTarget() {
        assertThat(upstream(head("GET http://t/abs?q=1 HTTP/1.1", "Host: other.test", "Accept: */*"), "127.0.0.1", true))
                .isEqualTo(head("GET /abs?q=1 HTTP/1.1", "Accept: */*", "Host: t", "X-Forwarded-For: 127.0.0.1", "X-Forwarded-Proto: http"));
        assertThat(upstream(head("GET HTTP://T.example:8080?q=1 HTTP/1.1", "Host: t"), "127.0.0.1", true))
                .isEqualTo(head("GET /?q=1 HTTP/1.1", "Host: T.example:8080", "X-Forwarded-For: 127.0.0.1", "X-Forwarded-Proto: http"));
        assertThat(upstream(head("OPTIONS http://t HTTP/1.0"), "127.0.0.1", false))
                .isEqualTo(head("OPTIONS / HTTP/1.0", "Host: t", "Connection: close", "X-Forwarded-For: 127.0.0.1", "X-Forwarded-Proto: http"));
    }

    @Test
    void aLaterMinorVersionIsForwardedAsHttp11() {
        assertThat(upstream(head("GET /x HTTP/1.7", "Host: a"), "127.0.0.1", true))
                .isEqualTo(head("GET /x HTTP/1.1", "Host: a", "X-Forwarded-For: 127.0.0.1", "X-Forwarded-Proto: http"));
    }

    @Test
    void forwardedForNamedInConnectionIsNotPassedOn() {
        String raw = head("GET / HTTP/1.1", "Host: a", "X-Forwarded-For: 6.6.6.6", "Connection: X-Forwarded-For");

        assertThat(upstream(raw, "127.0.0.1", true))
                .isEqualTo(head("GET / HTTP/1.1", "Host: a", "X-Forwarded-For: 127.0.0.1", "X-Forwarded-Proto: http"));
    }
}
