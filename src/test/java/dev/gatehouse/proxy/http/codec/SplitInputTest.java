package dev.gatehouse.proxy.http.codec;

import static dev.gatehouse.proxy.http.codec.Raw.head;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The parser and framer must give the same answer however the bytes are split: here a request
 * with a chunked body is split at every byte position, and fed one byte at a time, the way a
 * proxy's connection handler would feed them (accumulate, parse, then relay body bytes).
 */
class SplitInputTest {

    private static final String CHUNKED_HEAD = head("POST /upload?x=1 HTTP/1.1", "Host: Example.com",
            "Transfer-Encoding: chunked", "X-Tab: a\tb");
    private static final String CHUNKED_BODY = "5;ext=\"q;v\"\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: t\r\n\r\n";
    private static final String NEXT = "GET /next HTTP/1.1\r\n";
    private static final String SMUGGLING = head("POST / HTTP/1.1", "Host: a", "Content-Length: 4",
            "Transfer-Encoding: chunked") + "0\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n";

    /** What one connection saw: the head's path, the body bytes relayed, and how it ended. */
    private record Outcome(int result, int errorStatus, String path, String body, boolean bodyComplete, String left) {
    }

    /** Accumulates input like a connection handler: parse the head, then relay the body's bytes. */
    private static final class Connection {
        final RequestParser parser = new RequestParser(1024);
        final BodyFramer framer = new BodyFramer(1024);
        final ByteBuf cumulation = Unpooled.buffer();
        final StringBuilder body = new StringBuilder();
        int result = ParseResult.NEED_MORE;
        String path;

        void receive(ByteBuf bytes) {
            cumulation.writeBytes(bytes);
            if (result == ParseResult.NEED_MORE) {
                result = parser.parse(cumulation);
                if (result != ParseResult.DONE) {
                    return;
                }
                path = parser.head().path().toString();
                framer.reset(parser.head().framing(), parser.head().contentLength());
            }
            if (result == ParseResult.DONE) {
                int n = framer.scan(cumulation);
                assertThat(n).as(framer.errorReason()).isNotNegative();
                body.append(cumulation.readCharSequence(n, StandardCharsets.ISO_8859_1));
            }
        }

        Outcome finish() {
            try {
                return new Outcome(result, result == ParseResult.ERROR ? parser.errorStatus() : 0, path, body.toString(),
                        result == ParseResult.DONE && framer.isComplete(), Raw.text(cumulation));
            } finally {
                cumulation.release();
            }
        }
    }

    private static Outcome feedSplitAt(String raw, int split) {
        Connection connection = new Connection();
        ByteBuf all = Raw.buf(raw);
        try {
            connection.receive(all.slice(0, split));
            connection.receive(all.slice(split, all.readableBytes() - split));
        } finally {
            all.release();
        }
        return connection.finish();
    }

    private static Outcome feedBytewise(String raw) {
        Connection connection = new Connection();
        ByteBuf all = Raw.buf(raw);
        try {
            for (int i = 0; i < all.readableBytes(); i++) {
                connection.receive(all.slice(i, 1));
            }
        } finally {
            all.release();
        }
        return connection.finish();
    }

    @Test
    void chunkedRequestSplitAtEveryPosition() {
        String raw = CHUNKED_HEAD + CHUNKED_BODY + NEXT;
        Outcome expected = new Outcome(ParseResult.DONE, 0, "/upload", CHUNKED_BODY, true, NEXT);

        for (int split = 0; split <= raw.length(); split++) {
            assertThat(feedSplitAt(raw, split)).as("split at %d", split).isEqualTo(expected);
        }
        assertThat(feedBytewise(raw)).isEqualTo(expected);
    }

    @Test
    void headIsNotDoneBeforeItsLastByte() {
        Connection connection = new Connection();
        ByteBuf all = Raw.buf(CHUNKED_HEAD);
        try {
            for (int i = 0; i < all.readableBytes() - 1; i++) {
                connection.receive(all.slice(i, 1));
                assertThat(connection.result).as("after byte %d", i).isEqualTo(ParseResult.NEED_MORE);
                assertThat(connection.cumulation.readerIndex()).isZero();
            }
            connection.receive(all.slice(all.readableBytes() - 1, 1));
            assertThat(connection.result).isEqualTo(ParseResult.DONE);
        } finally {
            all.release();
            connection.finish();
        }
    }

    @Test
    void smugglingAttemptRejectedAtEverySplit() {
        Outcome expected = new Outcome(ParseResult.ERROR, 400, null, "", false, SMUGGLING);

        for (int split = 0; split <= SMUGGLING.length(); split++) {
            assertThat(feedSplitAt(SMUGGLING, split)).as("split at %d", split).isEqualTo(expected);
        }
        assertThat(feedBytewise(SMUGGLING)).isEqualTo(expected);
    }

    @Test
    void obsFoldRejectedAtEverySplit() {
        String raw = head("GET / HTTP/1.1", "Host: a", "X-A: 1", " folded");

        for (int split = 0; split <= raw.length(); split++) {
            Outcome outcome = feedSplitAt(raw, split);
            assertThat(outcome.result()).as("split at %d", split).isEqualTo(ParseResult.ERROR);
            assertThat(outcome.errorStatus()).isEqualTo(400);
        }
    }
}
