package dev.gatehouse.proxy.http.codec;

import io.netty.buffer.ByteBuf;

/**
 * Parses request heads strictly (RFC 9112), one connection's requests after one another, into a
 * single reused {@link RequestHead}. Errors carry their {@link Refusal}, with the status to answer with:
 * 400, 414, 417, 431, 501 or 505; after one the connection should be closed.
 */
public final class RequestParser {

    private final HeadFinder finder;
    private final RequestHead head;
    private final int maxTargetLength;

    /**
     * @param maxHeadSize the largest head accepted, in bytes, including leading empty lines (431 beyond); a
     *     request-target may take a quarter of it (414 beyond), 8 KiB for the default 32 KiB head
     */
    public RequestParser(int maxHeadSize) {
        this.finder = new HeadFinder(maxHeadSize);
        this.maxTargetLength = maxHeadSize / 4;
        this.head = new RequestHead(maxTargetLength);
    }

    /**
     * Parses a head starting at {@code in.readerIndex()}. Returns {@link ParseResult#NEED_MORE}
     * (nothing consumed; call again with the same bytes and more appended),
     * {@link ParseResult#DONE} (reader index past the head, {@link #head()} filled) or
     * {@link ParseResult#ERROR} (see {@link #errorStatus()}).
     */
    public int parse(ByteBuf in) {
        int end = finder.find(in);
        if (end == HeadFinder.NOT_YET) {
            return ParseResult.NEED_MORE;
        }
        int start = finder.startLine();
        finder.reset();
        if (end == HeadFinder.TOO_LARGE) {
            if (targetTooLong(in, in.readerIndex() + start)) {
                head.fail(Refusal.URI_TOO_LONG, "request target too long");
            } else {
                head.fail(Refusal.HEADER_TOO_LARGE, "request head too large");
            }
            return ParseResult.ERROR;
        }
        head.load(in, in.readerIndex() + start, end - start);
        if (!head.parse()) {
            return ParseResult.ERROR;
        }
        in.skipBytes(end);
        return ParseResult.DONE;
    }

    /**
     * Whether what makes a head too large is its request-target: the request line, from the first space on,
     * runs past the target limit (or does not end within the head limit at all).
     */
    private boolean targetTooLong(ByteBuf in, int lineStart) {
        int lineEnd = in.indexOf(lineStart, in.writerIndex(), Ascii.LF);
        int end = lineEnd < 0 ? in.writerIndex() : lineEnd;
        int space = in.indexOf(lineStart, end, Ascii.SP);
        // " HTTP/1.1\r" ends a complete line; an unfinished one is all target from its first space on
        int tail = lineEnd < 0 ? 0 : 10;
        return space >= 0 && end - space - 1 - tail > maxTargetLength;
    }

    /** The head of the last request parsed; valid until the next call to {@link #parse}. */
    public RequestHead head() {
        return head;
    }

    /** After {@link ParseResult#ERROR}: the status to answer with. */
    public int errorStatus() {
        return head.error().status();
    }

    /** After {@link ParseResult#ERROR}: what kind of rule the request broke. */
    public Refusal error() {
        return head.error();
    }

    /** After {@link ParseResult#ERROR}: a short reason, for logs and the error body. */
    public String errorReason() {
        return head.errorReason();
    }

    /** Forgets a partly received head, e.g. when the connection's buffer is discarded. */
    public void reset() {
        finder.reset();
    }
}
