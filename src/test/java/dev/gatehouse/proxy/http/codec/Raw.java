package dev.gatehouse.proxy.http.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Test helpers: HTTP text to bytes and back, ISO-8859-1 so every byte value survives. */
final class Raw {

    private Raw() {
    }

    /** The lines joined with CRLF, plus the empty line that ends a head. */
    static String head(String... lines) {
        return String.join("\r\n", lines) + "\r\n\r\n";
    }

    static ByteBuf buf(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    static String text(ByteBuf buf) {
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** The RFC 6455 sample key, and the accept value that answers it. */
    static final String WS_KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String WS_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    /** A parsed request head with this method (GET, HEAD...) for response parsing, which depends on it. */
    static RequestHead request(String method) {
        return parsed(head(method + " / HTTP/1.1", "Host: t"));
    }

    /** A parsed WebSocket opening handshake with {@link #WS_KEY}. */
    static RequestHead webSocketRequest() {
        return parsed(head("GET /chat HTTP/1.1", "Host: t", "Connection: Upgrade", "Upgrade: websocket",
                "Sec-WebSocket-Key: " + WS_KEY, "Sec-WebSocket-Version: 13"));
    }

    private static RequestHead parsed(String raw) {
        RequestParser parser = new RequestParser(1024);
        ByteBuf in = buf(raw);
        try {
            if (parser.parse(in) != ParseResult.DONE) {
                throw new IllegalArgumentException(parser.errorReason());
            }
            return parser.head();
        } finally {
            in.release();
        }
    }
}
