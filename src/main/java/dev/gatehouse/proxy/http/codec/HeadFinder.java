package dev.gatehouse.proxy.http.codec;

import io.netty.buffer.ByteBuf;

/**
 * Finds where a head ends (its first empty line) in bytes that may arrive in pieces. It remembers
 * how far it searched, relative to the reader index, so each byte is looked at once however the
 * head is split; between calls the caller may only append bytes.
 */
final class HeadFinder {

    static final int NOT_YET = -1;
    static final int TOO_LARGE = -2;

    private final int maxHeadSize;
    private int searched;
    private int lineStart;
    private int startLine;
    private boolean inHead;

    HeadFinder(int maxHeadSize) {
        if (maxHeadSize < 64) {
            throw new IllegalArgumentException("maxHeadSize must be at least 64 bytes, was " + maxHeadSize);
        }
        this.maxHeadSize = maxHeadSize;
    }

    /**
     * Returns the offset from the reader index just past the head's final line feed,
     * {@link #NOT_YET}, or {@link #TOO_LARGE}. Leading empty lines (CRLF) count towards the limit
     * and are excluded by {@link #startLine()}.
     */
    int find(ByteBuf in) {
        int base = in.readerIndex();
        int limit = Math.min(in.writerIndex(), base + maxHeadSize);
        while (base + searched < limit) {
            int lf = in.indexOf(base + searched, limit, Ascii.LF);
            if (lf < 0) {
                searched = limit - base;
                break;
            }
            int at = lf - base;
            int lineLength = at - lineStart;
            boolean empty = lineLength == 0 || lineLength == 1 && in.getByte(lf - 1) == Ascii.CR;
            searched = at + 1;
            if (!empty) {
                inHead = true;
            } else if (inHead) {
                return searched;
            } else if (lineLength == 1) {
                startLine = searched; // RFC 9112 section 2.2: ignore empty lines before the request line
            } else {
                inHead = true; // a bare LF: left for the parser to reject
            }
            lineStart = searched;
        }
        return in.writerIndex() - base > maxHeadSize ? TOO_LARGE : NOT_YET;
    }

    /** Offset from the reader index of the start line, past any leading empty lines. */
    int startLine() {
        return startLine;
    }

    void reset() {
        searched = 0;
        lineStart = 0;
        startLine = 0;
        inHead = false;
    }
}
