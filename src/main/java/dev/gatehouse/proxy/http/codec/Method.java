package dev.gatehouse.proxy.http.codec;

import java.nio.charset.StandardCharsets;

/** Request methods the proxy treats specially; anything else is {@link #OTHER}. */
public enum Method {
    GET(true), HEAD(true), POST(false), PUT(true), DELETE(true), OPTIONS(true), CONNECT(false),
    PATCH(false), TRACE(true), OTHER(false);

    private static final Method[] KNOWN = {GET, HEAD, POST, PUT, DELETE, OPTIONS, CONNECT, PATCH, TRACE};

    private final boolean idempotent;
    private final byte[] name;

    Method(boolean idempotent) {
        this.idempotent = idempotent;
        this.name = name().getBytes(StandardCharsets.US_ASCII);
    }

    /** Whether a request with this method may be retried on another backend (RFC 9110 section 9.2.2). */
    public boolean idempotent() {
        return idempotent;
    }

    /** Method names are case-sensitive, so "get" is {@link #OTHER}. */
    static Method of(byte[] bytes, int offset, int length) {
        for (Method m : KNOWN) {
            if (m.name.length == length && Ascii.regionEquals(bytes, offset, m.name)) {
                return m;
            }
        }
        return OTHER;
    }
}
