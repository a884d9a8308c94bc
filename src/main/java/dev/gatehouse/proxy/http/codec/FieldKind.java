package dev.gatehouse.proxy.http.codec;

/** The header fields the codec acts on, identified once per field while parsing. */
final class FieldKind {

    static final int OTHER = 0;
    static final int HOST = 1;
    static final int CONTENT_LENGTH = 2;
    static final int TRANSFER_ENCODING = 3;
    static final int CONNECTION = 4;
    static final int KEEP_ALIVE = 5;
    static final int PROXY_CONNECTION = 6;
    static final int TE = 7;
    static final int UPGRADE = 8;
    static final int EXPECT = 9;
    static final int COOKIE = 10;
    static final int X_FORWARDED_FOR = 11;
    static final int X_FORWARDED_PROTO = 12;
    static final int HTTP2_SETTINGS = 13;
    /** Set only by the proxy, from a verified client certificate: what a client sends is dropped. */
    static final int X_CLIENT_CERT_SUBJECT = 14;

    /** Flag set on a field whose name a Connection header lists: it is hop-by-hop too. */
    static final int NAMED_BY_CONNECTION = 1 << 8;
    static final int KIND_MASK = 0xFF;

    /**
     * Fields never forwarded by a proxy (RFC 9110 section 7.6.1); HTTP2-Settings belongs to an h2c upgrade
     * (RFC 7540 section 3.2.1), which is never passed on.
     */
    static final int HOP_BY_HOP = bit(CONNECTION) | bit(KEEP_ALIVE) | bit(PROXY_CONNECTION) | bit(TE) | bit(UPGRADE)
            | bit(HTTP2_SETTINGS);

    /** Fields that delimit the body: never copied, always written as parsed ({@link MessageHead#writeFraming}). */
    static final int FRAMING = bit(CONTENT_LENGTH) | bit(TRANSFER_ENCODING);

    /** Fields that frame or route the message: a Connection header may not make them hop-by-hop. */
    static final int PROTECTED = bit(HOST) | bit(CONTENT_LENGTH) | bit(TRANSFER_ENCODING);

    // Indexed by kind; lower-case so that matching needs no allocation.
    private static final byte[][] NAMES = {
        null, Ascii.bytes("host"), Ascii.bytes("content-length"), Ascii.bytes("transfer-encoding"),
        Ascii.bytes("connection"), Ascii.bytes("keep-alive"), Ascii.bytes("proxy-connection"), Ascii.bytes("te"),
        Ascii.bytes("upgrade"), Ascii.bytes("expect"), Ascii.bytes("cookie"), Ascii.bytes("x-forwarded-for"),
        Ascii.bytes("x-forwarded-proto"), Ascii.bytes("http2-settings"), Ascii.bytes("x-client-cert-subject"),
    };

    private FieldKind() {
    }

    static int bit(int kind) {
        return 1 << kind;
    }

    static int of(byte[] bytes, int offset, int length) {
        for (int kind = 1; kind < NAMES.length; kind++) {
            if (Ascii.equalsLower(bytes, offset, length, NAMES[kind])) {
                return kind;
            }
        }
        return OTHER;
    }
}
