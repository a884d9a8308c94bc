package dev.gatehouse.proxy.http.codec;

import static dev.gatehouse.proxy.http.codec.Raw.head;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing a typical request, and reading what routing needs, allocates nothing once warmed up. */
class AllocationTest {

    private static final String TYPICAL_GET = head("GET /api/v1/items?page=2 HTTP/1.1", "Host: api.example.com",
            "User-Agent: curl/8.5.0", "Accept: application/json", "Accept-Encoding: gzip, br",
            "Connection: keep-alive", "X-Request-Id: 5f2b1c0e9a");

    @ParameterizedTest(name = "direct buffer: {0}")
    @ValueSource(booleans = {true, false})
    void parsingATypicalGetAllocatesNothingAfterWarmUp(boolean direct) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        RequestParser parser = new RequestParser(8192);
        ByteBuf in = direct ? Unpooled.directBuffer(512) : Unpooled.buffer(512);
        in.writeCharSequence(TYPICAL_GET, StandardCharsets.US_ASCII);
        try {
            assertThat(TYPICAL_GET.length()).isBetween(180, 260);
            long sink = 0;
            for (int i = 0; i < 50_000; i++) {
                sink += parseOnce(parser, in);
            }
            int runs = 100_000;
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < runs; i++) {
                sink += parseOnce(parser, in);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;

            assertThat(sink).isPositive();
            // a few hundred bytes of slack for the measurement itself; one byte per parse would be 100 kB
            assertThat(allocated).as("bytes allocated over %d parses", runs).isLessThan(1024);
        } finally {
            in.release();
        }
    }

    private static long parseOnce(RequestParser parser, ByteBuf in) {
        in.readerIndex(0);
        if (parser.parse(in) != ParseResult.DONE) {
            throw new AssertionError(parser.errorReason());
        }
        RequestHead head = parser.head();
        return head.host().length() + head.path().charAt(1) + head.method().ordinal() + (head.keepAlive() ? 1 : 0)
                + head.framing().ordinal();
    }
}
