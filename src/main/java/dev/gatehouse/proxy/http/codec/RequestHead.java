package dev.gatehouse.proxy.http.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.AsciiString;

/**
 * A parsed request head, filled by {@link RequestParser} and reused for every request of a
 * connection. Text it returns is valid until the next request is parsed into it. A little over 400 lines, for
 * the reason {@link MessageHead} gives: the request-target forms and the headers rewritten upstream read the
 * head's own offsets, with no object per request.
 */
public final class RequestHead extends MessageHead {

    private static final byte[] HTTP_SCHEME = Ascii.bytes("http://");
    private static final byte[] HTTPS_SCHEME = Ascii.bytes("https://");
    private static final byte[] SLASH = Ascii.bytes("/");
    private static final byte[] ASTERISK = Ascii.bytes("*");
    private static final byte[] CONTINUE = Ascii.bytes("100-continue");
    private static final byte[] X_FORWARDED_FOR = Ascii.bytes("X-Forwarded-For: ");
    private static final byte[] LIST_SEPARATOR = Ascii.bytes(", ");
    private static final byte[] X_FORWARDED_PROTO_HTTP = Ascii.bytes("X-Forwarded-Proto: http\r\n");
    private static final byte[] X_FORWARDED_PROTO_HTTPS = Ascii.bytes("X-Forwarded-Proto: https\r\n");
    private static final byte[] HOST_PREFIX = Ascii.bytes("Host: ");
    private static final byte[] HTTP_1_DOT = Ascii.bytes(" HTTP/1.");
    /** Replaced by what {@link #writeUpstream} appends itself. */
    private static final int REWRITTEN = FieldKind.bit(FieldKind.X_FORWARDED_FOR) | FieldKind.bit(FieldKind.X_FORWARDED_PROTO)
            | FieldKind.bit(FieldKind.X_CLIENT_CERT_SUBJECT);
    private static final byte[] X_CLIENT_CERT_SUBJECT = Ascii.bytes("X-Client-Cert-Subject: ");

    private final AsciiView methodView = new AsciiView();
    private final AsciiView targetView = new AsciiView();
    private final AsciiView pathView = new AsciiView();
    private final AsciiView hostView = new AsciiView();
    private byte[] host = new byte[64];
    private final int maxTargetLength;
    private Method method = Method.OTHER;
    private int methodEnd;
    private int targetStart;
    private int targetEnd;
    /** Where the authority of an absolute-form or authority-form target lies; -1 for other forms. */
    private int authorityStart;
    private int authorityHostLength;
    private int authorityEnd;
    private boolean expectContinue;
    private boolean upgrade;
    /** Where the Sec-WebSocket-Key value of a WebSocket upgrade lies. */
    private int webSocketKey = -1;

    /** @param maxTargetLength the longest request-target accepted (414 beyond) */
    RequestHead(int maxTargetLength) {
        this.maxTargetLength = maxTargetLength;
    }

    public Method method() {
        return method;
    }

    /** The method as received, also for {@link Method#OTHER}. */
    public CharSequence methodName() {
        return methodView;
    }

    /** The request-target exactly as received (origin-, absolute-, authority- or asterisk-form). */
    public CharSequence target() {
        return targetView;
    }

    /** The path of the target without the query, for routing: "/" for an absolute-form target without one, "*" for OPTIONS *, empty for CONNECT. */
    public CharSequence path() {
        return pathView;
    }

    /**
     * The host to route on, lower-case and without port: from an absolute- or authority-form target
     * when there is one (RFC 9112 section 3.2.2), otherwise from Host; empty when neither has one.
     */
    public CharSequence host() {
        return hostView;
    }

    /** Whether the client waits for 100 Continue before sending the body (HTTP/1.1 only). */
    public boolean expectContinue() {
        return expectContinue;
    }

    /**
     * Whether this is a WebSocket opening handshake (RFC 6455 section 4.1) that a backend may accept with 101:
     * an HTTP/1.1 GET whose Connection lists "upgrade", with {@code Upgrade: websocket}, a Sec-WebSocket-Key
     * and {@code Sec-WebSocket-Version: 13}. Any other Upgrade (h2c above all, which would turn the backend
     * connection into one that bypasses this proxy's rules) is dropped and the request forwarded as a plain one.
     */
    public boolean upgrade() {
        return upgrade;
    }

    public boolean idempotent() {
        return method.idempotent();
    }

    /** The value of the first cookie with this (case-sensitive) name in any Cookie header, or null. */
    public CharSequence cookie(CharSequence name) {
        for (int i = 0; i < fieldCount; i++) {
            if (isKind(i, FieldKind.COOKIE)) {
                CharSequence value = cookieIn(valueStart[i], valueEnd[i], name);
                if (value != null) {
                    return value;
                }
            }
        }
        return null;
    }

    private CharSequence cookieIn(int start, int end, CharSequence name) {
        int p = start;
        while (p < end) {
            while (p < end && (bytes[p] == ';' || Ascii.isWhitespace(bytes[p]))) {
                p++;
            }
            int nameStart = p;
            while (p < end && bytes[p] != '=' && bytes[p] != ';') {
                p++;
            }
            if (p == end || bytes[p] == ';') {
                continue; // not a name=value pair
            }
            int eq = p;
            while (p < end && bytes[p] != ';') {
                p++;
            }
            if (Ascii.equals(bytes, nameStart, eq - nameStart, name)) {
                int vs = eq + 1;
                int ve = p;
                while (ve > vs && Ascii.isWhitespace(bytes[ve - 1])) {
                    ve--;
                }
                if (ve - vs >= 2 && bytes[vs] == '"' && bytes[ve - 1] == '"') {
                    vs++;
                    ve--;
                }
                return new AsciiString(bytes, vs, ve - vs, false);
            }
        }
        return null;
    }

    /**
     * Writes the head for the backend: the request line as received (in origin-form for an absolute-form
     * target, and as HTTP/1.1 for a later HTTP/1 minor version), every header except the hop-by-hop ones
     * (Connection, Keep-Alive, Proxy-Connection, TE, Upgrade, HTTP2-Settings and any named in Connection;
     * Upgrade stays for a WebSocket upgrade), Host replaced by the target's authority for an absolute-form
     * target (RFC 9112 section 3.2.2), the framing as parsed ({@code Transfer-Encoding: chunked} or
     * Content-Length), then {@code Connection: upgrade} for an upgrade, {@code Connection: close} when the
     * backend connection is not to be reused, or {@code Connection: keep-alive} for an HTTP/1.0 request on a
     * reusable one; then X-Forwarded-For with {@code clientIp} appended and {@code X-Forwarded-Proto}: {@code https}
     * when {@code https} (the client connection is TLS), else {@code http}; and X-Client-Cert-Subject when
     * {@code clientSubject} is not null (any the client sent is dropped).
     */
    public void writeUpstream(ByteBuf out, CharSequence clientIp, boolean keepAliveUpstream, boolean https,
            CharSequence clientSubject) {
        int drop = FieldKind.HOP_BY_HOP | FieldKind.FRAMING | REWRITTEN;
        if (upgrade) {
            drop &= ~FieldKind.bit(FieldKind.UPGRADE);
        }
        boolean absolute = authorityStart >= 0;
        if (absolute) {
            drop |= FieldKind.bit(FieldKind.HOST);
        }
        if (absolute || laterMinor) {
            writeRequestLine(out);
            writeKept(out, startLineEnd + 2, drop);
        } else {
            writeKept(out, 0, drop);
        }
        if (absolute) {
            out.writeBytes(HOST_PREFIX);
            out.writeBytes(bytes, authorityStart, authorityEnd - authorityStart);
            out.writeBytes(CRLF);
        }
        writeFraming(out);
        if (upgrade) {
            out.writeBytes(CONNECTION_UPGRADE);
        } else if (!keepAliveUpstream) {
            out.writeBytes(CONNECTION_CLOSE);
        } else if (minorVersion == 0) {
            out.writeBytes(CONNECTION_KEEP_ALIVE);
        }
        out.writeBytes(X_FORWARDED_FOR);
        for (int i = 0; i < fieldCount; i++) {
            if (isKind(i, FieldKind.X_FORWARDED_FOR) && !namedByConnection(i) && valueEnd[i] > valueStart[i]) {
                out.writeBytes(bytes, valueStart[i], valueEnd[i] - valueStart[i]);
                out.writeBytes(LIST_SEPARATOR);
            }
        }
        ByteBufUtil.writeAscii(out, clientIp);
        out.writeBytes(CRLF);
        out.writeBytes(https ? X_FORWARDED_PROTO_HTTPS : X_FORWARDED_PROTO_HTTP);
        if (clientSubject != null) {
            out.writeBytes(X_CLIENT_CERT_SUBJECT);
            ByteBufUtil.writeAscii(out, clientSubject);
            out.writeBytes(CRLF);
        }
        out.writeBytes(CRLF);
    }

    /** The request line with the target in origin-form (the path and query of an absolute-form one) and HTTP/1.0 or 1.1. */
    private void writeRequestLine(ByteBuf out) {
        out.writeBytes(bytes, 0, methodEnd + 1);
        int from = authorityStart >= 0 ? authorityEnd : targetStart;
        if (from == targetEnd || bytes[from] != '/') {
            out.writeBytes(SLASH); // RFC 9112 section 3.2.1: an empty path is sent as "/"
        }
        out.writeBytes(bytes, from, targetEnd - from);
        out.writeBytes(HTTP_1_DOT);
        out.writeByte('0' + minorVersion);
        out.writeBytes(CRLF);
    }

    @Override
    Refusal startLineError() {
        return Refusal.BAD_REQUEST_LINE;
    }

    /** Where the Sec-WebSocket-Key of an {@link #upgrade()} request starts; its length is {@link WebSocketHandshake#KEY_LENGTH}. */
    int webSocketKey() {
        return webSocketKey;
    }

    /** Parses the head loaded by {@link #load}; false with an error status when it breaks a rule. */
    boolean parse() {
        expectContinue = false;
        upgrade = false;
        webSocketKey = -1;
        authorityStart = -1;
        return parseRequestLine() && parseFields(startLineEnd + 2) && finishFields() && finishRequest();
    }

    private boolean parseRequestLine() {
        int p = 0;
        while (Ascii.isToken(bytes[p])) {
            p++;
        }
        if (p == 0 || bytes[p] != Ascii.SP) {
            return bytes[p] == Ascii.LF ? fail(Refusal.BAD_LINE_ENDING, "bare LF line ending")
                    : fail(Refusal.BAD_REQUEST_LINE, "malformed request line");
        }
        methodEnd = p;
        method = Method.of(bytes, 0, p);
        methodView.set(bytes, 0, p);
        targetStart = ++p;
        while (Ascii.isTarget(bytes[p])) {
            p++;
        }
        targetEnd = p;
        if (p == targetStart || bytes[p] != Ascii.SP) {
            return fail(Refusal.BAD_REQUEST_LINE, "invalid request target");
        }
        if (targetEnd - targetStart > maxTargetLength) {
            return fail(Refusal.URI_TOO_LONG, "request target too long");
        }
        targetView.set(bytes, targetStart, targetEnd - targetStart);
        int end = parseVersion(p + 1);
        if (end == -2) {
            return fail(Refusal.VERSION_NOT_SUPPORTED, "HTTP version not supported");
        }
        if (end < 0) {
            return fail(Refusal.BAD_REQUEST_LINE, "malformed HTTP version");
        }
        startLineEnd = end;
        return expectCrlf(end) && classifyTarget();
    }

    /** RFC 9112 section 3.2: which target forms each method may use, and the path to route on. */
    private boolean classifyTarget() {
        int n = targetEnd - targetStart;
        byte first = bytes[targetStart];
        if (method == Method.CONNECT) {
            authorityStart = targetStart;
            authorityHostLength = hostLength(targetStart, n, true);
            pathView.set(bytes, targetStart, 0);
            return authorityHostLength > 0 || fail(Refusal.BAD_REQUEST_LINE, "CONNECT needs an authority-form target");
        }
        if (first == '/') {
            pathView.set(bytes, targetStart, queryStart(targetStart) - targetStart);
            return true;
        }
        if (n == 1 && first == '*') {
            pathView.set(ASTERISK, 0, 1);
            return method == Method.OPTIONS || fail(Refusal.BAD_REQUEST_LINE, "asterisk-form target is only for OPTIONS");
        }
        int scheme = Ascii.equalsLower(bytes, targetStart, Math.min(n, HTTP_SCHEME.length), HTTP_SCHEME)
                ? HTTP_SCHEME.length
                : Ascii.equalsLower(bytes, targetStart, Math.min(n, HTTPS_SCHEME.length), HTTPS_SCHEME) ? HTTPS_SCHEME.length : 0;
        if (scheme == 0) {
            return fail(Refusal.BAD_REQUEST_LINE, "invalid request target");
        }
        authorityStart = targetStart + scheme;
        authorityEnd = authorityStart;
        while (authorityEnd < targetEnd && bytes[authorityEnd] != '/' && bytes[authorityEnd] != '?') {
            authorityEnd++;
        }
        authorityHostLength = hostLength(authorityStart, authorityEnd - authorityStart, false);
        if (authorityHostLength <= 0) {
            return fail(Refusal.BAD_HOST, "invalid authority in request target");
        }
        if (authorityEnd < targetEnd && bytes[authorityEnd] == '/') {
            pathView.set(bytes, authorityEnd, queryStart(authorityEnd) - authorityEnd);
        } else {
            pathView.set(SLASH, 0, 1);
        }
        return true;
    }

    private int queryStart(int from) {
        int p = from;
        while (p < targetEnd && bytes[p] != '?') {
            p++;
        }
        return p;
    }

    private boolean finishRequest() {
        if (hostFields > 1) {
            return fail(Refusal.BAD_HOST, "multiple Host headers");
        }
        if (hostFields == 0 && minorVersion == 1) {
            return fail(Refusal.BAD_HOST, "missing Host header");
        }
        if (hostField >= 0) {
            int hostLength = hostLength(valueStart[hostField], valueEnd[hostField] - valueStart[hostField], false);
            if (hostLength < 0) {
                return fail(Refusal.BAD_HOST, "invalid Host header");
            }
            if (authorityStart < 0) {
                setHost(valueStart[hostField], hostLength);
            }
        }
        if (authorityStart >= 0) {
            setHost(authorityStart, authorityHostLength);
        } else if (hostField < 0) {
            hostView.set(host, 0, 0);
        }
        for (int i = 0; i < fieldCount; i++) {
            if (isKind(i, FieldKind.EXPECT)) {
                if (!Ascii.equalsLower(bytes, valueStart[i], valueEnd[i] - valueStart[i], CONTINUE)) {
                    return fail(Refusal.UNSUPPORTED_EXPECTATION, "unsupported expectation");
                }
                // RFC 9110 section 10.1.1: ignore 100-continue from an HTTP/1.0 client
                expectContinue = minorVersion == 1;
            }
        }
        if (method == Method.CONNECT) {
            // No tunnels: a CONNECT relayed to a backend that answers 200 would leave both connections open with
            // nothing to frame what follows.
            return fail(Refusal.CONNECT_METHOD, "CONNECT is not supported");
        }
        // RFC 9110 section 7.8: Upgrade in an HTTP/1.0 request is ignored
        if (minorVersion == 1 && method == Method.GET && connectionUpgrade && upgradeField) {
            webSocketKey = WebSocketHandshake.requestKey(this);
            upgrade = webSocketKey >= 0;
        }
        return true;
    }

    /** The routing host: lower case, with one trailing dot (a fully qualified name) dropped. */
    private void setHost(int start, int n) {
        if (n > 1 && bytes[start + n - 1] == '.') {
            n--;
        }
        if (host.length < n) {
            host = new byte[Math.max(n, host.length * 2)];
        }
        for (int i = 0; i < n; i++) {
            host[i] = Ascii.toLower(bytes[start + i]);
        }
        hostView.set(host, 0, n);
    }

    /**
     * Validates {@code uri-host [":" port]} (RFC 3986 reg-name or IP literal) and returns the length
     * of the host part, or -1 when invalid or when a required port is missing.
     */
    private int hostLength(int start, int n, boolean portRequired) {
        int end = start + n;
        int p = start;
        if (p < end && bytes[p] == '[') {
            p++;
            while (p < end && (Ascii.hexValue(bytes[p]) >= 0 || bytes[p] == ':' || bytes[p] == '.')) {
                p++;
            }
            if (p == end || bytes[p] != ']') {
                return -1;
            }
            p++;
        } else {
            while (p < end && Ascii.isRegName(bytes[p])) {
                p++;
            }
        }
        int hostEnd = p;
        if (p == end) {
            return portRequired ? -1 : hostEnd - start;
        }
        if (bytes[p++] != ':' || portRequired && p == end) {
            return -1;
        }
        while (p < end) {
            if (!Ascii.isDigit(bytes[p++])) {
                return -1;
            }
        }
        return hostEnd - start;
    }
}
