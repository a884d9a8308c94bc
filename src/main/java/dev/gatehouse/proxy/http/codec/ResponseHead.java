package dev.gatehouse.proxy.http.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * A parsed response head from a backend, filled by {@link ResponseParser} and reused for every
 * response of a connection. Text it returns is valid until the next response is parsed into it.
 */
public final class ResponseHead extends MessageHead {

    private static final byte[] HTTP_1_1 = Ascii.bytes("HTTP/1.1");

    private final AsciiView reasonView = new AsciiView();
    private int status;
    private boolean interim;
    private boolean mustCloseClient;

    ResponseHead() {
    }

    public int status() {
        return status;
    }

    /** The reason phrase as received; may be empty. */
    public CharSequence reason() {
        return reasonView;
    }

    /**
     * An interim (1xx other than 101) response such as 100 Continue: relay it and keep waiting
     * for the final response to the same request.
     */
    public boolean interim() {
        return interim;
    }

    /**
     * 101 Switching Protocols: after this head both connections carry the new protocol. Only a WebSocket
     * handshake that answers the request's own is accepted as one; any other 101 is a parse error.
     */
    public boolean upgrade() {
        return status == 101;
    }

    /**
     * Whether the client connection has to close after this response, whatever the client asked:
     * a body delimited by the backend closing can only be passed on the same way.
     */
    public boolean mustCloseClient() {
        return mustCloseClient;
    }

    /**
     * Writes the head for the client: the status line as received (as HTTP/1.1 for a later HTTP/1 minor
     * version), every header except the hop-by-hop ones (Upgrade stays on a 101) with the framing as parsed
     * (see {@link #writeFraming}), then {@code extraHeaderLine} (without CRLF) when
     * not null, then {@code Connection: upgrade} on a 101, {@code Connection: close} when the client
     * connection closes after this response ({@code keepAliveClient} false or
     * {@link #mustCloseClient()}), or {@code Connection: keep-alive} for an HTTP/1.0 client kept
     * alive. Interim responses get no Connection header.
     */
    public void writeDownstream(ByteBuf out, boolean keepAliveClient, boolean clientHttp10, CharSequence extraHeaderLine) {
        int drop = FieldKind.HOP_BY_HOP | FieldKind.FRAMING;
        if (status == 101) {
            drop &= ~FieldKind.bit(FieldKind.UPGRADE);
        }
        if (laterMinor) {
            out.writeBytes(HTTP_1_1);
            writeKept(out, HTTP_1_1.length, drop);
        } else {
            writeKept(out, 0, drop);
        }
        writeFraming(out);
        if (extraHeaderLine != null) {
            ByteBufUtil.writeAscii(out, extraHeaderLine);
            out.writeBytes(CRLF);
        }
        if (status == 101) {
            out.writeBytes(CONNECTION_UPGRADE);
        } else if (!interim) {
            if (!keepAliveClient || mustCloseClient) {
                out.writeBytes(CONNECTION_CLOSE);
            } else if (clientHttp10) {
                out.writeBytes(CONNECTION_KEEP_ALIVE);
            }
        }
        out.writeBytes(CRLF);
    }

    /** Parses the head loaded by {@link #load} as the answer to {@code request}; false with an error reason when it breaks a rule. */
    boolean parse(RequestHead request) {
        interim = false;
        mustCloseClient = false;
        if (!parseStatusLine() || !parseFields(startLineEnd + 2) || !finishFields() || !finishResponse(request.method() == Method.HEAD)) {
            return false;
        }
        // A 101 opens a tunnel: only as the backend's acceptance of the WebSocket handshake the client started.
        return status != 101 || WebSocketHandshake.accepted(request, this)
                || fail(Refusal.BAD_UPGRADE_RESPONSE, "101 that is not the WebSocket handshake asked for");
    }

    @Override
    Refusal startLineError() {
        return Refusal.BAD_STATUS_LINE;
    }

    private boolean parseStatusLine() {
        int p = parseVersion(0);
        if (p == -2) {
            return fail(Refusal.BAD_STATUS_LINE, "unsupported HTTP version");
        }
        if (p < 0 || bytes[p] != Ascii.SP || !Ascii.isDigit(bytes[p + 1]) || !Ascii.isDigit(bytes[p + 2])
                || !Ascii.isDigit(bytes[p + 3])) {
            return fail(Refusal.BAD_STATUS_LINE, "malformed status line");
        }
        status = (bytes[p + 1] - '0') * 100 + (bytes[p + 2] - '0') * 10 + (bytes[p + 3] - '0');
        if (status < 100 || status > 599) {
            return fail(Refusal.BAD_STATUS_LINE, "invalid status code");
        }
        p += 4;
        int reasonStart = p;
        if (bytes[p] == Ascii.SP) {
            reasonStart = ++p;
            while (Ascii.isFieldValue(bytes[p])) {
                p++;
            }
        }
        reasonView.set(bytes, reasonStart, p - reasonStart);
        startLineEnd = p;
        return expectCrlf(p);
    }

    /** RFC 9112 section 6.3: which responses have a body and how it ends. */
    private boolean finishResponse(boolean requestWasHead) {
        interim = status < 200 && status != 101;
        if (requestWasHead || status < 200 || status == 204 || status == 304) {
            framing = Framing.NONE;
        } else if (framing == Framing.NONE) {
            framing = Framing.CLOSE_DELIMITED;
            mustCloseClient = true;
        }
        keepAlive = keepAlive && status != 101 && !mustCloseClient;
        return true;
    }
}
