package dev.gatehouse.proxy.http.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
    private static final String LIMITED_BODY = "429 Too Many Requests: over this client's rate limit\n";
    private static final ByteBuf LIMITED_HEAD = shared("HTTP/1.1 429 Too Many Requests\r\n"
            + "Content-Type: text/plain\r\n"
            + "Content-Length: " + LIMITED_BODY.length() + "\r\n"
            + "Retry-After: ");
    private static final ByteBuf LIMITED_CLOSE = shared("\r\nConnection: close\r\n\r\n" + LIMITED_BODY);
    private static final ByteBuf LIMITED_KEEP_ALIVE_10 = shared("\r\nConnection: keep-alive\r\n\r\n" + LIMITED_BODY);
    private static final ByteBuf LIMITED_KEEP_ALIVE = shared("\r\n\r\n" + LIMITED_BODY);

    static {
        error(400, "Bad Request", "");
        error(404, "Not Found", "");
        error(408, "Request Timeout", "");
        error(413, "Content Too Large", "");
        error(414, "URI Too Long", "");
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
     * body, for 400, 404 (no route matched), 408, 413, 414, 417, 429 (with {@code Retry-After: 1}), 431, 501, 502, 503, 504, 505.
     */
    public static ByteBuf error(int status) {
        ByteBuf response = status >= FIRST && status < FIRST + ERRORS.length ? ERRORS[status - FIRST] : null;
        if (response == null) {
            throw new IllegalArgumentException("no prebuilt response for status " + status);
        }
        return response.duplicate();
    }

    /**
     * The answer to a request over its client's rate limit: 429 with {@code Retry-After: retryAfterSeconds}, written
     * into a buffer from {@code alloc}. With {@code keepAlive} the connection stays open ({@code Connection:
     * keep-alive} for an HTTP/1.0 client), else the response says {@code Connection: close}.
     */
    public static ByteBuf tooManyRequests(ByteBufAllocator alloc, long retryAfterSeconds, boolean keepAlive, boolean http10) {
        ByteBuf tail = !keepAlive ? LIMITED_CLOSE : http10 ? LIMITED_KEEP_ALIVE_10 : LIMITED_KEEP_ALIVE;
        ByteBuf out = alloc.directBuffer(LIMITED_HEAD.readableBytes() + 20 + tail.readableBytes());
        out.writeBytes(LIMITED_HEAD, LIMITED_HEAD.readerIndex(), LIMITED_HEAD.readableBytes());
        writeDecimal(out, retryAfterSeconds);
        return out.writeBytes(tail, tail.readerIndex(), tail.readableBytes());
    }

    private static void writeDecimal(ByteBuf out, long n) {
        long div = 1;
        while (div <= n / 10) {
            div *= 10;
        }
        for (; div > 0; div /= 10) {
            out.writeByte((int) ('0' + n / div % 10));
        }
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
