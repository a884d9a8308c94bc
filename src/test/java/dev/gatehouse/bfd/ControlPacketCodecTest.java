package dev.gatehouse.bfd;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ControlPacketCodecTest {

    /** Version 1, diag 3, state Up, P set, mult 3, length 24, discriminators 1 and 2, 100 ms / 300 ms / 0. */
    private static final String UP_WITH_POLL = "23e003180000000100000002000186a0000493e000000000";

    @Test
    void encodesTheFieldsWhereRfc5880PutsThem() {
        ByteBuf out = Unpooled.buffer();
        ControlPacketCodec.encode(new ControlPacket(3, SessionState.UP, true, false, false, false, 3, 1, 2,
                100_000, 300_000, 0), out);
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo(UP_WITH_POLL);
    }

    @Test
    void decodesWhatItEncodesIncludingUnsignedIntervalsAndEveryFlag() {
        ControlPacket packet = new ControlPacket(31, SessionState.INIT, false, true, true, true, 255, -5, 0x7fffffff,
                0xffffffffL, 1, 0x80000000L);
        ByteBuf buf = Unpooled.buffer();
        ControlPacketCodec.encode(packet, buf);
        assertThat(ControlPacketCodec.check(buf)).isNull();
        assertThat(ControlPacketCodec.decode(buf)).isEqualTo(packet);
    }

    @Test
    void acceptsBytesPastTheLengthAndAReservedDiagnostic() {
        ByteBuf buf = Unpooled.wrappedBuffer(HexFormat.of().parseHex("3f" + UP_WITH_POLL.substring(2) + "deadbeef"));
        assertThat(ControlPacketCodec.check(buf)).isNull();
        assertThat(ControlPacketCodec.decode(buf).diag()).isEqualTo(31);
        assertThat(Diagnostic.ofCode(31)).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "version 0, 0, 03, BAD_VERSION",
        "version 2, 0, 43, BAD_VERSION",
        "length 23, 3, 17, BAD_LENGTH",
        "length 25 beyond the payload, 3, 19, BAD_LENGTH",
        "detect mult 0, 2, 00, ZERO_DETECT_MULT",
        "multipoint bit, 1, c1, MULTIPOINT",
        "my discriminator 0, 7, 00, ZERO_MY_DISCRIMINATOR",
        "poll and final, 1, f0, POLL_AND_FINAL",
        "auth bit with length 24, 1, c4, BAD_LENGTH",
    })
    void dropsWhatSection6_8_6Discards(String what, int offset, String value, Drop expected) {
        byte[] bytes = HexFormat.of().parseHex(UP_WITH_POLL);
        bytes[offset] = (byte) HexFormat.fromHexDigits(value);
        assertThat(ControlPacketCodec.check(Unpooled.wrappedBuffer(bytes))).as(what).isEqualTo(expected);
    }

    @Test
    void dropsAuthenticationItDoesNotUseEvenWhenTheSectionIsThere() {
        byte[] bytes = HexFormat.of().parseHex(UP_WITH_POLL.substring(0, 2) + "c4031a" + UP_WITH_POLL.substring(8)
                + "0102");
        assertThat(ControlPacketCodec.check(Unpooled.wrappedBuffer(bytes))).isEqualTo(Drop.AUTHENTICATION);
    }

    @Test
    void dropsEveryTruncationOfAGoodPacket() {
        byte[] bytes = HexFormat.of().parseHex(UP_WITH_POLL);
        for (int n = 0; n < bytes.length; n++) {
            assertThat(ControlPacketCodec.check(Unpooled.wrappedBuffer(bytes, 0, n))).as("%d bytes", n)
                    .isEqualTo(Drop.BAD_LENGTH);
        }
    }

    @Test
    void neverThrowsOnRandomBytes() {
        SplittableRandom random = new SplittableRandom(5880);
        int accepted = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            if (bytes.length > 3 && random.nextBoolean()) {
                bytes[0] = (byte) (0x20 | bytes[0] & 0x1f); // version 1 half the time, to reach the later checks
                bytes[3] = (byte) Math.min(bytes.length, 24);
            }
            ByteBuf buf = Unpooled.wrappedBuffer(bytes);
            if (ControlPacketCodec.check(buf) == null) {
                accepted++;
                assertThat(ControlPacketCodec.decode(buf).detectMult()).isPositive();
            }
        }
        assertThat(accepted).isPositive();
    }
}
