package dev.gatehouse.proxy.http.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The prebuilt responses are well-formed HTTP, by the codec's own strict parser, and safe to share. */
class HttpResponsesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {400, 404, 408, 413, 414, 417, 429, 431, 501, 502, 503, 504, 505})
    void errorResponsesParseAndClose(int status) {
        ResponseParser parser = new ResponseParser(1024);
        ByteBuf response = HttpResponses.error(status);

        assertThat(parser.parse(response, Raw.request("GET"))).as(parser.errorReason()).isEqualTo(ParseResult.DONE);
        ResponseHead head = parser.head();
        assertThat(head.status()).isEqualTo(status);
        assertThat(head.keepAlive()).isFalse();
        assertThat(head.framing()).isEqualTo(Framing.CONTENT_LENGTH);
        assertThat(head.contentLength()).isEqualTo(response.readableBytes()).isPositive();
        assertThat(Raw.text(response)).startsWith(Integer.toString(status));
        assertThat(head.header("Retry-After")).as("Retry-After").satisfies(retryAfter -> {
            if (status == 429) {
                assertThat(retryAfter).hasToString("1");
            } else {
                assertThat(retryAfter).isNull();
            }
        });
    }

    @ParameterizedTest(name = "keep-alive {0}, HTTP/1.0 {1}")
    @org.junit.jupiter.params.provider.CsvSource({"true,false", "true,true", "false,false", "false,true"})
    void tooManyRequestsCarriesRetryAfterAndKeepsTheConnectionWhenAsked(boolean keepAlive, boolean http10) {
        for (long seconds : new long[] {1, 9, 10, 3600, 1234567890123L}) {
            ByteBuf response = HttpResponses.tooManyRequests(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, seconds, keepAlive, http10);
            try {
                ResponseParser parser = new ResponseParser(1024);
                assertThat(parser.parse(response, Raw.request("GET"))).as(parser.errorReason()).isEqualTo(ParseResult.DONE);
                ResponseHead head = parser.head();
                assertThat(head.status()).isEqualTo(429);
                assertThat(head.header("Retry-After")).hasToString(Long.toString(seconds));
                assertThat(head.framing()).isEqualTo(Framing.CONTENT_LENGTH);
                assertThat(head.contentLength()).isEqualTo(response.readableBytes());
                assertThat(String.valueOf(head.header("Connection"))).isEqualTo(!keepAlive ? "close" : http10 ? "keep-alive" : "null");
            } finally {
                response.release();
            }
        }
    }

    @Test
    void sharedBuffersSurviveWritesAndReleases() {
        ByteBuf first = HttpResponses.error(503);
        int size = first.readableBytes();
        first.skipBytes(size);
        first.release();

        ByteBuf second = HttpResponses.error(503);
        assertThat(second.readableBytes()).isEqualTo(size);
        assertThat(second.refCnt()).isPositive();
        assertThat(second.isReadOnly()).isTrue();
    }

    @Test
    void continueResponse() {
        assertThat(Raw.text(HttpResponses.continue100())).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
    }

    @Test
    void unknownStatusIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> HttpResponses.error(418)).withMessageContaining("418");
        assertThatIllegalArgumentException().isThrownBy(() -> HttpResponses.error(200)).withMessageContaining("200");
    }
}
