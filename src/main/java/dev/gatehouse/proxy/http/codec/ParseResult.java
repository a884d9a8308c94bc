package dev.gatehouse.proxy.http.codec;

/** What {@link RequestParser#parse} and {@link ResponseParser#parse} return. */
public final class ParseResult {

    /** The head is not complete yet; nothing was consumed. Call again once more bytes arrived. */
    public static final int NEED_MORE = 0;
    /** The head is complete and parsed; the reader index is past its final empty line. */
    public static final int DONE = 1;
    /** The head is malformed or too large; see the parser's error status and reason. */
    public static final int ERROR = -1;

    private ParseResult() {
    }
}
