package dev.gatehouse.proxy.http.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Responses the proxy writes itself, built once and shared. Each call returns a duplicate of a
 * read-only, unreleasable buffer, so writing (and releasing) it never touches the original.
 */
public final class HttpResponses {

    private static final int FIRST = 400;
    private static final ByteBuf[] ERRORS = new ByteBuf[106];
    private static final ByteBuf CONTINUE = shared("HTTP/1.1 100 Continue\r\n\r\n");

    static {
        error(400, "Bad Request", "");
        error(404, "Not Found", "");
        error(408, "Request Timeout", "");
        error(413, "Content Too Large", "");
        error(417, "Expectation Failed", "");
        error(429, "Too Many Requests", "Retry-After: 1\r\n");
        error(431, "Request Header Fields Too Large", "");
        error(501, "Not Implemented", "");
        error(502, "Bad Gateway", "");
        error(503, "Service Unavailable", "");
        error(504, "Gateway Timeout", "");
        error(505, "HTTP Version Not Supported", "");
    }

    private HttpResponses() {
    }

    /**
     * A complete response with {@code Connection: close}, a Content-Length and a one-line text
     * body, for 400, 404 (no route matched), 408, 413, 417, 429 (with {@code Retry-After: 1}), 431, 501, 502, 503, 504, 505.
     */
    public static ByteBuf error(int status) {
        ByteBuf response = status >= FIRST && status < FIRST + ERRORS.length ? ERRORS[status - FIRST] : null;
        if (response == null) {
            throw new IllegalArgumentException("no prebuilt response for status " + status);
        }
        return response.duplicate();
    }

    /** {@code HTTP/1.1 100 Continue}, to answer {@code Expect: 100-continue} before relaying the body. */
    public static ByteBuf continue100() {
        return CONTINUE.duplicate();
    }

    private static void error(int status, String reason, String extraHeaders) {
        String body = status + " " + reason + "\n";
        ERRORS[status - FIRST] = shared("HTTP/1.1 " + status + " " + reason + "\r\n"
                + "Content-Type: text/plain\r\n"
                + "Content-Length: " + body.length() + "\r\n"
                + extraHeaders
                + "Connection: close\r\n\r\n"
                + body);
    }

    private static ByteBuf shared(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuf direct = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        return Unpooled.unreleasableBuffer(direct.asReadOnly());
    }
}
