package dev.gatehouse.proxy.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A stream's request as the HTTP/1.1 bytes the exchange handler reads: the head from the HEADERS frame, then the body
 * from DATA frames, framed by the client's {@code content-length} or else chunked. Everything RFC 9113 section 8.1.1
 * calls malformed is refused before a byte is passed on: connection-specific fields, a {@code te} other than
 * "trailers", characters HTTP/1.1 could not carry unchanged (CR, LF, NUL; a space in a name or the path; white space
 * around a value), a missing pseudo-header, or DATA that does not add up to the content-length. So nothing a client
 * sends over HTTP/2 can become a second request or field on the HTTP/1.1 side.
 */
final class RequestBytes {

    private static final byte[] VERSION = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] CHUNKED = "transfer-encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Each stream is one exchange: the handler closes the stream's channel after the response. */
    private static final byte[] CLOSE = "connection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final AsciiString HOST = AsciiString.cached("host");
    private static final AsciiString COOKIE = AsciiString.cached("cookie");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString TE = AsciiString.cached("te");
    private static final AsciiString TRAILERS = AsciiString.cached("trailers");
    private static final AsciiString HEAD = AsciiString.cached("HEAD");

    private boolean chunked;
    private long declaredLength = -1;
    private long received;
    private boolean ended;
    private boolean head;
    /** Why the request is malformed, or null. */
    private String error;

    String error() {
        return error;
    }

    boolean ended() {
        return ended;
    }

    /** The request's method is HEAD: its response has no body whatever its fields say. */
    boolean headRequest() {
        return head;
    }

    /** The request head from a HEADERS frame; null when malformed (see {@link #error()}). */
    ByteBuf head(ByteBufAllocator alloc, Http2Headers headers, boolean endStream) {
        CharSequence method = headers.method();
        CharSequence path = headers.path();
        CharSequence authority = headers.authority();
        if (method == null || path == null || headers.scheme() == null) {
            return malformed("a pseudo-header is missing");
        }
        if (!token(method) || !visible(path) || authority != null && !visible(authority)) {
            return malformed("invalid method, path or authority");
        }
        head = HEAD.contentEquals(method);
        ByteBuf out = alloc.buffer(256);
        out.writeCharSequence(method, StandardCharsets.US_ASCII);
        out.writeByte(' ');
        out.writeCharSequence(path, StandardCharsets.US_ASCII);
        out.writeBytes(VERSION);
        if (authority != null) {
            field(out, HOST, authority);
        }
        StringBuilder cookies = null;
        for (Map.Entry<CharSequence, CharSequence> e : headers) {
            CharSequence name = e.getKey();
            CharSequence value = e.getValue();
            if (name.length() > 0 && name.charAt(0) == ':') {
                continue;
            }
            String why = check(name, value, endStream);
            if (why != null) {
                out.release();
                return malformed(why);
            }
            if (COOKIE.contentEquals(name)) { // split into several fields over HTTP/2, one field over HTTP/1.1 (RFC 9113 8.2.3)
                cookies = cookies == null ? new StringBuilder(value) : cookies.append("; ").append(value);
            } else if (!(HOST.contentEquals(name) && authority != null) && !TE.contentEquals(name)) {
                field(out, name, value);
            }
        }
        if (cookies != null) {
            field(out, COOKIE, cookies);
        }
        if (endStream) {
            ended = true;
        } else if (declaredLength < 0) {
            chunked = true;
            out.writeBytes(CHUNKED);
        }
        out.writeBytes(CLOSE);
        return out;
    }

    /** Why a field cannot be carried, or null; notes the content-length. */
    private String check(CharSequence name, CharSequence value, boolean endStream) {
        if (!token(name) || !fieldValue(value)) {
            return "invalid field " + name;
        }
        if (connectionSpecific(name)) {
            return "connection-specific field " + name;
        }
        if (TE.contentEquals(name) && !TRAILERS.contentEqualsIgnoreCase(value)) {
            return "te other than trailers";
        }
        if (CONTENT_LENGTH.contentEquals(name)) {
            long n = digits(value);
            if (n < 0 || declaredLength >= 0 && declaredLength != n || endStream && n != 0) {
                return "invalid content-length";
            }
            declaredLength = n;
        }
        return null;
    }

    /**
     * Body bytes of one DATA frame for the exchange handler (null when there are none to pass on, or when malformed),
     * with the chunk framing or the end of the body.
     */
    ByteBuf data(ByteBufAllocator alloc, ByteBuf content, boolean endStream) {
        int n = content.readableBytes();
        received += n;
        if (declaredLength >= 0 && (received > declaredLength || endStream && received != declaredLength)) {
            return malformed("DATA does not match content-length");
        }
        ended = endStream;
        if (!chunked) {
            return n == 0 ? null : content.retainedSlice();
        }
        ByteBuf out = alloc.buffer(n + 32);
        if (n > 0) {
            out.writeCharSequence(Integer.toHexString(n), StandardCharsets.US_ASCII);
            out.writeBytes(CRLF);
            out.writeBytes(content, content.readerIndex(), n);
            out.writeBytes(CRLF);
        }
        if (endStream) {
            out.writeBytes(LAST_CHUNK);
        }
        return out;
    }

    /** Trailers (a HEADERS frame after DATA): they end the body; their fields are not passed on. */
    ByteBuf trailers(ByteBufAllocator alloc, boolean endStream) {
        if (!endStream) {
            return malformed("HEADERS after DATA without END_STREAM");
        }
        return data(alloc, io.netty.buffer.Unpooled.EMPTY_BUFFER, true);
    }

    private ByteBuf malformed(String why) {
        error = why;
        return null;
    }

    private static void field(ByteBuf out, CharSequence name, CharSequence value) {
        out.writeCharSequence(name, StandardCharsets.US_ASCII);
        out.writeByte(':');
        out.writeByte(' ');
        out.writeCharSequence(value, StandardCharsets.ISO_8859_1);
        out.writeBytes(CRLF);
    }

    private static boolean connectionSpecific(CharSequence name) {
        return AsciiString.contentEquals(name, "connection") || AsciiString.contentEquals(name, "keep-alive")
                || AsciiString.contentEquals(name, "proxy-connection") || AsciiString.contentEquals(name, "transfer-encoding")
                || AsciiString.contentEquals(name, "upgrade");
    }

    /** A non-empty token of lower-case letters, digits and the token punctuation (RFC 9110 section 5.6.2). */
    private static boolean token(CharSequence s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Printable ASCII without spaces: a path or an authority. */
    private static boolean visible(CharSequence s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                return false;
            }
        }
        return true;
    }

    /** No CR, LF, NUL or other control but HTAB, and no white space at either end (RFC 9113 section 8.2.1). */
    private static boolean fieldValue(CharSequence s) {
        int n = s.length();
        if (n > 0 && (isSpace(s.charAt(0)) || isSpace(s.charAt(n - 1)))) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7F || c > 0xFF) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    /** The decimal value of {@code s}, or -1 when it is not 1 to 18 digits. */
    private static long digits(CharSequence s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + c - '0';
        }
        return n;
    }
}
