package dev.gatehouse.proxy.http.codec;

import io.netty.buffer.ByteBuf;

/**
 * Parses request heads strictly (RFC 9112), one connection's requests after one another, into a
 * single reused {@link RequestHead}. Errors carry the status to answer with: 400, 417, 431, 501 or
 * 505; after one the connection should be closed.
 */
public final class RequestParser {

    private final HeadFinder finder;
    private final RequestHead head = new RequestHead();

    /** @param maxHeadSize the largest head accepted, in bytes, including leading empty lines (431 beyond) */
    public RequestParser(int maxHeadSize) {
        this.finder = new HeadFinder(maxHeadSize);
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
            head.fail(431, "request head too large");
            return ParseResult.ERROR;
        }
        head.load(in, in.readerIndex() + start, end - start);
        if (!head.parse()) {
            return ParseResult.ERROR;
        }
        in.skipBytes(end);
        return ParseResult.DONE;
    }

    /** The head of the last request parsed; valid until the next call to {@link #parse}. */
    public RequestHead head() {
        return head;
    }

    /** After {@link ParseResult#ERROR}: the status to answer with. */
    public int errorStatus() {
        return head.errorStatus();
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
