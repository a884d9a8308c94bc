package dev.gatehouse.proxy.http.codec;

import io.netty.buffer.ByteBuf;

/**
 * Parses response heads from a backend with the same strictness as requests, into a single reused
 * {@link ResponseHead}. Any error means the backend's response cannot be relayed safely: the proxy
 * answers 502 and closes the backend connection.
 */
public final class ResponseParser {

    private final HeadFinder finder;
    private final ResponseHead head = new ResponseHead();

    /** @param maxHeadSize the largest head accepted, in bytes */
    public ResponseParser(int maxHeadSize) {
        this.finder = new HeadFinder(maxHeadSize);
    }

    /**
     * Parses a head at {@code in.readerIndex()}, like {@link RequestParser#parse}, as the answer to
     * {@code request}: a response to HEAD never has a body, and a 101 must accept the request's WebSocket handshake.
     */
    public int parse(ByteBuf in, RequestHead request) {
        int end = finder.find(in);
        if (end == HeadFinder.NOT_YET) {
            return ParseResult.NEED_MORE;
        }
        int start = finder.startLine();
        finder.reset();
        if (end == HeadFinder.TOO_LARGE) {
            head.fail(Refusal.HEADER_TOO_LARGE, "response head too large");
            return ParseResult.ERROR;
        }
        head.load(in, in.readerIndex() + start, end - start);
        if (!head.parse(request)) {
            return ParseResult.ERROR;
        }
        in.skipBytes(end);
        return ParseResult.DONE;
    }

    public ResponseHead head() {
        return head;
    }

    /** After {@link ParseResult#ERROR}: always 502, the status the proxy answers the client with. */
    public int errorStatus() {
        return 502;
    }

    /** After {@link ParseResult#ERROR}: what was wrong with the backend's response. */
    public String errorReason() {
        return head.errorReason();
    }

    public void reset() {
        finder.reset();
    }
}
