package dev.gatehouse.proxy.http.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BodyFramerTest {

    private final BodyFramer framer = new BodyFramer(1024);

    /** Scans {@code raw} in one piece, returns the count or -1. */
    private int scanWhole(String raw) {
        ByteBuf in = Raw.buf(raw);
        try {
            return framer.scan(in);
        } finally {
            in.release();
        }
    }

    /** Scans {@code raw} one byte at a time; returns the bytes claimed before the body completed or an error. */
    private int scanBytewise(String raw) {
        ByteBuf in = Raw.buf(raw);
        try {
            int claimed = 0;
            for (int i = 0; i < in.readableBytes() && !framer.isComplete(); i++) {
                int n = framer.scan(in.slice(i, 1));
                if (n < 0) {
                    return -1;
                }
                claimed += n;
            }
            return claimed;
        } finally {
            in.release();
        }
    }

    @Test
    void contentLengthClaimsExactlyTheBody() {
        framer.reset(Framing.CONTENT_LENGTH, 10);

        assertThat(scanWhole("0123")).isEqualTo(4);
        assertThat(framer.isComplete()).isFalse();
        assertThat(scanWhole("456789GET / HTTP/1.1")).isEqualTo(6);
        assertThat(framer.isComplete()).isTrue();
        assertThat(scanWhole("more")).isZero();
    }

    @Test
    void emptyBodiesAreCompleteAtOnce() {
        framer.reset(Framing.CONTENT_LENGTH, 0);
        assertThat(framer.isComplete()).isTrue();
        framer.reset(Framing.NONE, -1);
        assertThat(framer.isComplete()).isTrue();
        assertThat(scanWhole("GET /")).isZero();
    }

    @Test
    void closeDelimitedClaimsEverything() {
        framer.reset(Framing.CLOSE_DELIMITED, -1);

        assertThat(scanWhole("all of it")).isEqualTo(9);
        assertThat(scanWhole("and more")).isEqualTo(8);
        assertThat(framer.isComplete()).isFalse();
    }

    @Test
    void chunkedWithExtensionsAndTrailers() {
        String body = "4;name=value;q=\"a \\\"b\\\";c\"\r\nWiki\r\n"
                + "5 ; x ; y = z\r\npedia\r\n"
                + "E\r\n in\r\n\r\nchunks.\r\n"
                + "0;last\r\n"
                + "Expires: never\r\nX-Checksum:\tabc \r\n\r\n";

        framer.reset(Framing.CHUNKED, -1);
        assertThat(scanWhole(body + "NEXT")).isEqualTo(body.length());
        assertThat(framer.isComplete()).isTrue();

        framer.reset(Framing.CHUNKED, -1);
        assertThat(scanBytewise(body + "NEXT")).isEqualTo(body.length());
        assertThat(framer.isComplete()).isTrue();
    }

    @Test
    void chunkedWithoutTrailersAndUpperCaseHex() {
        String body = "1A\r\n" + "z".repeat(26) + "\r\n0\r\n\r\n";
        framer.reset(Framing.CHUNKED, -1);

        assertThat(scanWhole(body)).isEqualTo(body.length());
        assertThat(framer.isComplete()).isTrue();
    }

    @Test
    void incompleteChunkedBodyClaimsWhatArrived() {
        framer.reset(Framing.CHUNKED, -1);

        assertThat(scanWhole("5\r\nhel")).isEqualTo(6);
        assertThat(scanWhole("lo\r\n0\r\n")).isEqualTo(7);
        assertThat(framer.isComplete()).isFalse();
        assertThat(scanWhole("\r\n")).isEqualTo(2);
        assertThat(framer.isComplete()).isTrue();
    }

    @ParameterizedTest(name = "malformed case {index}")
    @ValueSource(strings = {
        "zz\r\n",
        "-1\r\n",
        "0x10\r\n",
        "+5\r\n",
        "\r\n",
        "000000000000000001\r\nx\r\n0\r\n\r\n",  // 18 hex digits
        "FFFFFFFFFFFFFFFFFF\r\n",                 // 18 hex digits
        "8000000000000000\r\n",                   // 16 digits past Long.MAX_VALUE
        "3\r\nabcX\r\n0\r\n\r\n",                 // no CRLF after the data
        "3\r\nabc\n0\r\n\r\n",                    // LF only after the data
        "3\nabc\r\n0\r\n\r\n",                    // bare LF after the size
        "3\rabc\r\n",                             // bare CR after the size
        "3;\r\nabc\r\n",                          // extension without a name
        "3;=v\r\nabc\r\n",
        "3;a=\r\nabc\r\n",                        // extension without a value
        "3;a\u0001\r\nabc\r\n",                   // control char in the extension
        "3;a=\"x\u0000\"\r\nabc\r\n",             // control char in a quoted value
        "3;a=b c\r\nabc\r\n",                     // two values
        "3 4\r\nabc\r\n",
        "0\r\nX-T: a\u0001b\r\n\r\n",             // control char in a trailer
        "0\r\n folded\r\n\r\n",                    // obs-fold in the trailers
        "0\r\nNoColon\r\n\r\n",
        "0\r\nX-T: 1\n\r\n",
        "0\r\n\rX",
    })
    void flagsMalformedChunkedFraming(String raw) {
        framer.reset(Framing.CHUNKED, -1);
        assertThat(scanWhole(raw)).isEqualTo(-1);
        assertThat(framer.isError()).isTrue();
        assertThat(framer.errorReason()).isNotBlank();
        assertThat(scanWhole("0\r\n\r\n")).as("stays failed").isEqualTo(-1);

        framer.reset(Framing.CHUNKED, -1);
        assertThat(scanBytewise(raw)).as("byte by byte").isEqualTo(-1);
    }

    @Test
    void limitsTheChunkLineAndTheTrailers() {
        framer.reset(Framing.CHUNKED, -1);
        assertThat(scanWhole("1;" + "e".repeat(1100) + "\r\n")).isEqualTo(-1);
        assertThat(framer.errorReason()).contains("too long");

        framer.reset(Framing.CHUNKED, -1);
        StringBuilder trailers = new StringBuilder("0\r\n");
        for (int i = 0; i < 100; i++) {
            trailers.append("X-Trailer-").append(i).append(": value\r\n");
        }
        assertThat(scanWhole(trailers.append("\r\n").toString())).isEqualTo(-1);
        assertThat(framer.errorReason()).contains("trailer");
    }

    @Test
    void gibibyteBodyIn64KiBSlicesHoldsNothing() {
        long size = 1L << 30;
        ByteBuf slice = Unpooled.buffer(64 * 1024).writeZero(64 * 1024);
        try {
            framer.reset(Framing.CONTENT_LENGTH, size);
            long total = 0;
            for (long i = 0; i < size / slice.capacity(); i++) {
                slice.readerIndex(0);
                int n = framer.scan(slice);
                assertThat(n).isEqualTo(slice.capacity());
                slice.skipBytes(n);
                total += n;
            }
            assertThat(total).isEqualTo(size);
            assertThat(framer.isComplete()).isTrue();
            slice.readerIndex(0);
            assertThat(framer.scan(slice)).isZero();
        } finally {
            slice.release();
        }
    }

    @Test
    void gibibyteChunkIn64KiBSlices() {
        ByteBuf slice = Unpooled.buffer(64 * 1024).writeZero(64 * 1024);
        try {
            framer.reset(Framing.CHUNKED, -1);
            assertThat(scanWhole("40000000\r\n")).isEqualTo(10);
            for (int i = 0; i < (1 << 30) / slice.capacity(); i++) {
                slice.readerIndex(0);
                assertThat(framer.scan(slice)).isEqualTo(slice.capacity());
            }
            assertThat(framer.isComplete()).isFalse();
            assertThat(scanWhole("\r\n0\r\n\r\n")).isEqualTo(7);
            assertThat(framer.isComplete()).isTrue();
        } finally {
            slice.release();
        }
    }

    @Test
    void validatesArguments() {
        assertThatIllegalArgumentException().isThrownBy(() -> new BodyFramer(10)).withMessageContaining("10");
        assertThatIllegalArgumentException().isThrownBy(() -> framer.reset(Framing.CONTENT_LENGTH, -5)).withMessageContaining("-5");
    }

    @Test
    void scanDoesNotMoveTheReaderIndex() {
        framer.reset(Framing.CHUNKED, -1);
        ByteBuf in = Unpooled.copiedBuffer("2\r\nab\r\n0\r\n\r\n", StandardCharsets.US_ASCII);
        try {
            assertThat(framer.scan(in)).isEqualTo(12);
            assertThat(in.readerIndex()).isZero();
        } finally {
            in.release();
        }
    }
}
