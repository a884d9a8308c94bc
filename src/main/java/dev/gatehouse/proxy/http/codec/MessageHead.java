package dev.gatehouse.proxy.http.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * What requests and responses share: a private copy of the head bytes, the header fields as offsets
 * into it, and the framing and connection facts derived from them. Reused for every message of a
 * connection; text handed out is valid until the next message is parsed into the same head.
 *
 * <p>It runs over 400 lines on purpose: the framing rules of RFC 9112 (Content-Length, Transfer-Encoding,
 * Connection) all read the same offset arrays, and keeping them beside those arrays is what lets a message be
 * parsed, checked and rewritten with no object per message.
 */
public abstract sealed class MessageHead permits RequestHead, ResponseHead {

    static final int MAX_FIELDS = 100;
    static final byte[] CRLF = {Ascii.CR, Ascii.LF};
    static final byte[] CONNECTION_CLOSE = Ascii.bytes("Connection: close\r\n");
    static final byte[] CONNECTION_KEEP_ALIVE = Ascii.bytes("Connection: keep-alive\r\n");
    static final byte[] CONNECTION_UPGRADE = Ascii.bytes("Connection: upgrade\r\n");
    private static final byte[] TRANSFER_ENCODING_CHUNKED = Ascii.bytes("Transfer-Encoding: chunked\r\n");
    private static final byte[] CONTENT_LENGTH = Ascii.bytes("Content-Length: ");

    private static final byte[] HTTP_SLASH = Ascii.bytes("HTTP/");
    private static final byte[] CHUNKED = Ascii.bytes("chunked");
    private static final byte[] CLOSE = Ascii.bytes("close");
    private static final byte[] KEEP_ALIVE = Ascii.bytes("keep-alive");
    private static final byte[] UPGRADE = Ascii.bytes("upgrade");
    private static final int INITIAL_FIELDS = 16;

    byte[] bytes = new byte[1024];
    int length;
    /** Index of the CR that ends the start line. */
    int startLineEnd;

    int fieldCount;
    int[] lineStart = new int[INITIAL_FIELDS];
    int[] nameEnd = new int[INITIAL_FIELDS];
    int[] valueStart = new int[INITIAL_FIELDS];
    int[] valueEnd = new int[INITIAL_FIELDS];
    /** Index of the CR that ends each field line. */
    int[] lineEnd = new int[INITIAL_FIELDS];
    int[] kinds = new int[INITIAL_FIELDS];

    int minorVersion;
    /** The start line said HTTP/1.x with x above 1: served as 1.1 (RFC 9110 section 2.5), so written as 1.1. */
    boolean laterMinor;
    Framing framing = Framing.NONE;
    long contentLength = -1;
    private int contentLengthField;
    boolean keepAlive;
    boolean connectionClose;
    boolean connectionKeepAlive;
    boolean connectionUpgrade;
    boolean upgradeField;
    int hostFields;
    int hostField = -1;

    Refusal error;
    String errorReason;

    private boolean connectionNamesFields;
    private boolean transferEncoding;
    private boolean chunkedLast;
    private boolean chunkedSeen;
    private boolean unsupportedCoding;
    private int cursor;
    private int elementStart;
    private int elementEnd;

    MessageHead() {
    }

    /** Bytes in the head as received, start line to the final empty line: a size hint for rewriting it. */
    public final int length() {
        return length;
    }

    /** HTTP minor version: 0 for HTTP/1.0, 1 for HTTP/1.1. */
    public final int minorVersion() {
        return minorVersion;
    }

    public final Framing framing() {
        return framing;
    }

    /** The Content-Length value, or -1 when the head has none. */
    public final long contentLength() {
        return contentLength;
    }

    /** Whether the connection may carry another message after this one, per version and Connection. */
    public final boolean keepAlive() {
        return keepAlive;
    }

    public final int headerCount() {
        return fieldCount;
    }

    /** The name of header {@code index} as received. */
    public final CharSequence headerName(int index) {
        Objects.checkIndex(index, fieldCount);
        return new AsciiString(bytes, lineStart[index], nameEnd[index] - lineStart[index], false);
    }

    /** The value of header {@code index} without surrounding whitespace. */
    public final CharSequence headerValue(int index) {
        Objects.checkIndex(index, fieldCount);
        return value(index);
    }

    /** The first value of the named header (case-insensitive), or null. */
    public final CharSequence header(CharSequence name) {
        for (int i = 0; i < fieldCount; i++) {
            if (Ascii.equalsIgnoreCase(bytes, lineStart[i], nameEnd[i] - lineStart[i], name)) {
                return value(i);
            }
        }
        return null;
    }

    /** The kind of the last error, for the parser to report. */
    final Refusal error() {
        return error;
    }

    final String errorReason() {
        return errorReason;
    }

    final CharSequence value(int field) {
        return new AsciiString(bytes, valueStart[field], valueEnd[field] - valueStart[field], false);
    }

    /** Copies the head out of {@code in} and clears everything derived from the previous one. */
    final void load(ByteBuf in, int index, int headLength) {
        if (bytes.length < headLength) {
            bytes = new byte[Math.max(headLength, bytes.length * 2)];
        }
        copy(in, index, headLength);
        length = headLength;
        fieldCount = 0;
        framing = Framing.NONE;
        contentLength = -1;
        keepAlive = false;
        connectionClose = false;
        connectionKeepAlive = false;
        connectionUpgrade = false;
        connectionNamesFields = false;
        upgradeField = false;
        hostFields = 0;
        hostField = -1;
        transferEncoding = false;
        chunkedLast = false;
        chunkedSeen = false;
        unsupportedCoding = false;
        laterMinor = false;
        error = null;
        errorReason = null;
    }

    /**
     * {@link ByteBuf#getBytes(int, byte[])} on a direct buffer duplicates its NIO buffer for every
     * call; the buffer's cached internal one does the same copy without allocating.
     */
    private void copy(ByteBuf in, int index, int headLength) {
        if (in.hasArray()) {
            System.arraycopy(in.array(), in.arrayOffset() + index, bytes, 0, headLength);
        } else if (in.nioBufferCount() == 1) {
            ByteBuffer nio = in.internalNioBuffer(index, headLength);
            nio.get(nio.position(), bytes, 0, headLength);
        } else {
            in.getBytes(index, bytes, 0, headLength);
        }
    }

    final boolean fail(Refusal kind, String reason) {
        error = kind;
        errorReason = reason;
        return false;
    }

    /**
     * Parses {@code HTTP/1.x} at {@code p}, setting the minor version. Returns the index after it,
     * -1 when malformed (400) or -2 when well-formed but not HTTP/1 (505). A later HTTP/1 minor version
     * is taken as 1.1, the highest this proxy speaks (RFC 9110 section 2.5).
     */
    final int parseVersion(int p) {
        if (p + 8 > length || !Ascii.regionEquals(bytes, p, HTTP_SLASH)
                || !Ascii.isDigit(bytes[p + 5]) || bytes[p + 6] != '.' || !Ascii.isDigit(bytes[p + 7])) {
            return -1;
        }
        if (bytes[p + 5] != '1') {
            return -2;
        }
        laterMinor = bytes[p + 7] > '1';
        minorVersion = laterMinor ? 1 : bytes[p + 7] - '0';
        return p + 8;
    }

    /** Checks that a line ends with CRLF at {@code p}, failing with 400 otherwise. */
    final boolean expectCrlf(int p) {
        if (bytes[p] == Ascii.CR && bytes[p + 1] == Ascii.LF) {
            return true;
        }
        return bytes[p] == Ascii.LF ? fail(Refusal.BAD_LINE_ENDING, "bare LF line ending") : fail(startLineError(), "malformed start line");
    }

    /** Parses the field lines from {@code p} (after the start line) to the final empty line. */
    final boolean parseFields(int p) {
        while (true) {
            byte first = bytes[p];
            if (first == Ascii.CR) {
                return bytes[p + 1] == Ascii.LF || fail(Refusal.BAD_LINE_ENDING, "bare CR");
            }
            if (Ascii.isWhitespace(first)) {
                return fail(Refusal.OBS_FOLD, "obsolete line folding");
            }
            if (fieldCount == MAX_FIELDS) {
                return fail(Refusal.HEADER_TOO_LARGE, "too many header fields");
            }
            int start = p;
            while (Ascii.isToken(bytes[p])) {
                p++;
            }
            if (bytes[p] != ':' || p == start) {
                return bytes[p] == Ascii.LF ? fail(Refusal.BAD_LINE_ENDING, "bare LF line ending")
                        : fail(Refusal.BAD_HEADER, Ascii.isWhitespace(bytes[p]) ? "whitespace before colon" : "invalid header field name");
            }
            int colon = p++;
            while (Ascii.isWhitespace(bytes[p])) {
                p++;
            }
            int vStart = p;
            int vEnd = p;
            byte b;
            while ((b = bytes[p]) != Ascii.CR) {
                if (!Ascii.isFieldValue(b)) {
                    return b == Ascii.LF ? fail(Refusal.BAD_LINE_ENDING, "bare LF line ending")
                            : fail(Refusal.BAD_HEADER, "control character in header value");
                }
                p++;
                if (!Ascii.isWhitespace(b)) {
                    vEnd = p;
                }
            }
            if (bytes[p + 1] != Ascii.LF) {
                return fail(Refusal.BAD_LINE_ENDING, "bare CR");
            }
            if (!addField(start, colon, vStart, vEnd, p)) {
                return false;
            }
            p += 2;
        }
    }

    private boolean addField(int start, int colon, int vStart, int vEnd, int cr) {
        int i = fieldCount;
        if (i == lineStart.length) {
            int grown = Math.min(MAX_FIELDS, i * 2);
            lineStart = Arrays.copyOf(lineStart, grown);
            nameEnd = Arrays.copyOf(nameEnd, grown);
            valueStart = Arrays.copyOf(valueStart, grown);
            valueEnd = Arrays.copyOf(valueEnd, grown);
            lineEnd = Arrays.copyOf(lineEnd, grown);
            kinds = Arrays.copyOf(kinds, grown);
        }
        lineStart[i] = start;
        nameEnd[i] = colon;
        valueStart[i] = vStart;
        valueEnd[i] = vEnd;
        lineEnd[i] = cr;
        int kind = FieldKind.of(bytes, start, colon - start);
        kinds[i] = kind;
        fieldCount = i + 1;
        return switch (kind) {
            case FieldKind.HOST -> {
                if (hostFields++ == 0) {
                    hostField = i;
                }
                yield true;
            }
            case FieldKind.CONTENT_LENGTH -> parseContentLength(i, vStart, vEnd);
            case FieldKind.TRANSFER_ENCODING -> parseTransferEncoding(vStart, vEnd);
            case FieldKind.CONNECTION -> parseConnection(vStart, vEnd);
            case FieldKind.UPGRADE -> {
                upgradeField = true;
                yield true;
            }
            default -> true;
        };
    }

    private boolean parseContentLength(int field, int start, int end) {
        if (contentLength >= 0) {
            return fail(Refusal.CONFLICTING_LENGTH, "multiple Content-Length");
        }
        if (start == end) {
            return fail(Refusal.BAD_CONTENT_LENGTH, "invalid Content-Length");
        }
        long value = 0;
        for (int p = start; p < end; p++) {
            byte b = bytes[p];
            if (!Ascii.isDigit(b)) {
                return fail(Refusal.BAD_CONTENT_LENGTH, "invalid Content-Length");
            }
            if (value > (Long.MAX_VALUE - 9) / 10) {
                return fail(Refusal.BAD_CONTENT_LENGTH, "Content-Length too large");
            }
            value = value * 10 + (b - '0');
        }
        contentLength = value;
        contentLengthField = field;
        return true;
    }

    /**
     * One Transfer-Encoding field: a list of codings (RFC 9112 section 6.1), each a case-insensitive token with
     * optional parameters. Empty elements and the whitespace around elements are part of the list syntax and
     * ignored (RFC 9110 section 5.6.1), so {@code ", chunked"}, {@code "chunked,"} and {@code "\tCHUNKED "} all
     * mean chunked: the head is then forwarded with exactly {@code Transfer-Encoding: chunked} (see
     * {@link #writeFraming}), never with the bytes as received, so no backend can read them another way.
     * Anything else that names chunked (with parameters, twice) is refused as ambiguous.
     */
    private boolean parseTransferEncoding(int start, int end) {
        transferEncoding = true;
        cursor = start;
        while (nextElement(end)) {
            int p = elementStart;
            while (p < elementEnd && Ascii.isToken(bytes[p])) {
                p++;
            }
            int nameEnd = p;
            while (p < elementEnd && Ascii.isWhitespace(bytes[p])) {
                p++;
            }
            boolean parameters = p < elementEnd;
            if (nameEnd == elementStart || parameters && bytes[p] != ';') {
                return fail(Refusal.BAD_TRANSFER_ENCODING, "invalid Transfer-Encoding");
            }
            if (Ascii.equalsLower(bytes, elementStart, nameEnd - elementStart, CHUNKED)) {
                if (parameters) {
                    return fail(Refusal.BAD_TRANSFER_ENCODING, "chunked with parameters");
                }
                if (chunkedSeen) {
                    return fail(Refusal.BAD_TRANSFER_ENCODING, "chunked applied twice");
                }
                chunkedSeen = true;
                chunkedLast = true;
            } else {
                chunkedLast = false; // chunked must be the final coding, and only chunked can be relayed raw
                unsupportedCoding = true;
            }
        }
        return true;
    }

    private boolean parseConnection(int start, int end) {
        cursor = start;
        while (nextElement(end)) {
            int s = elementStart;
            int n = elementEnd - s;
            for (int p = s; p < elementEnd; p++) {
                if (!Ascii.isToken(bytes[p])) {
                    return fail(Refusal.BAD_HEADER, "invalid Connection header");
                }
            }
            if (Ascii.equalsLower(bytes, s, n, CLOSE)) {
                connectionClose = true;
            } else if (Ascii.equalsLower(bytes, s, n, KEEP_ALIVE)) {
                connectionKeepAlive = true;
            } else if (Ascii.equalsLower(bytes, s, n, UPGRADE)) {
                connectionUpgrade = true;
            } else {
                connectionNamesFields = true;
            }
        }
        return true;
    }

    /**
     * Steps {@link #cursor} to the next non-empty element of a comma-separated list ending at
     * {@code end}, leaving it trimmed in {@link #elementStart}..{@link #elementEnd}.
     */
    private boolean nextElement(int end) {
        while (cursor < end) {
            int s = cursor;
            int comma = s;
            while (comma < end && bytes[comma] != ',') {
                comma++;
            }
            cursor = comma + 1;
            int e = comma;
            while (s < e && Ascii.isWhitespace(bytes[s])) {
                s++;
            }
            while (e > s && Ascii.isWhitespace(bytes[e - 1])) {
                e--;
            }
            if (s < e) {
                elementStart = s;
                elementEnd = e;
                return true;
            }
        }
        return false;
    }

    /**
     * Derives framing and keep-alive once all fields are in (RFC 9112 section 6.3); sets framing to
     * CHUNKED, CONTENT_LENGTH or leaves NONE.
     */
    final boolean finishFields() {
        if (transferEncoding) {
            if (minorVersion == 0) {
                return fail(Refusal.BAD_TRANSFER_ENCODING, "Transfer-Encoding in HTTP/1.0");
            }
            if (contentLength >= 0) {
                return fail(Refusal.CONFLICTING_LENGTH, "both Transfer-Encoding and Content-Length");
            }
            if (!chunkedLast) {
                // RFC 9112 section 6.3: the length of such a request cannot be known; 400, then close
                return fail(Refusal.BAD_TRANSFER_ENCODING, "chunked is not the final transfer coding");
            }
            if (unsupportedCoding) {
                return fail(Refusal.UNSUPPORTED_TRANSFER_CODING, "unsupported transfer coding");
            }
            framing = Framing.CHUNKED;
        } else if (contentLength >= 0) {
            framing = Framing.CONTENT_LENGTH;
        }
        if (connectionNamesFields) {
            markNamedByConnection();
        }
        keepAlive = !connectionClose && (minorVersion == 1 || connectionKeepAlive);
        return true;
    }

    private void markNamedByConnection() {
        for (int c = 0; c < fieldCount; c++) {
            if (kinds[c] != FieldKind.CONNECTION) {
                continue;
            }
            cursor = valueStart[c];
            while (nextElement(valueEnd[c])) {
                int n = elementEnd - elementStart;
                for (int i = 0; i < fieldCount; i++) {
                    boolean isProtected = (FieldKind.PROTECTED & FieldKind.bit(kinds[i] & FieldKind.KIND_MASK)) != 0;
                    if (!isProtected && nameEnd[i] - lineStart[i] == n
                            && Ascii.equalsIgnoreCase(bytes, lineStart[i], elementStart, n)) {
                        kinds[i] |= FieldKind.NAMED_BY_CONNECTION;
                    }
                }
            }
        }
    }

    final boolean isKind(int field, int kind) {
        return (kinds[field] & FieldKind.KIND_MASK) == kind;
    }

    final boolean namedByConnection(int field) {
        return (kinds[field] & FieldKind.NAMED_BY_CONNECTION) != 0;
    }

    /** The kind of error a malformed start line is: a request's or a response's. */
    abstract Refusal startLineError();

    /**
     * Writes the head from {@code from} (0: the start line as received; past it: the field lines only), keeping
     * every field line whose kind is not in {@code dropKinds} (a bit set of {@link FieldKind}s) and which no
     * Connection header names, copying contiguous kept lines in one go. The final empty line is left to the caller.
     */
    final void writeKept(ByteBuf out, int from, int dropKinds) {
        int runStart = from;
        for (int i = 0; i < fieldCount; i++) {
            int kind = kinds[i];
            boolean drop = (kind & FieldKind.NAMED_BY_CONNECTION) != 0
                    || (dropKinds & FieldKind.bit(kind & FieldKind.KIND_MASK)) != 0;
            if (drop) {
                out.writeBytes(bytes, runStart, lineStart[i] - runStart);
                runStart = lineEnd[i] + 2;
            }
        }
        out.writeBytes(bytes, runStart, length - 2 - runStart);
    }

    /**
     * Writes the framing fields that {@link #writeKept} must be told to drop ({@link FieldKind#FRAMING}) as
     * they were understood: {@code Transfer-Encoding: chunked}, or one {@code Content-Length} with the value
     * trimmed, or nothing.
     */
    final void writeFraming(ByteBuf out) {
        if (transferEncoding) {
            out.writeBytes(TRANSFER_ENCODING_CHUNKED); // a head with any other coding was refused
        } else if (contentLength >= 0) {
            int f = contentLengthField;
            out.writeBytes(CONTENT_LENGTH);
            out.writeBytes(bytes, valueStart[f], valueEnd[f] - valueStart[f]);
            out.writeBytes(CRLF);
        }
    }
}
