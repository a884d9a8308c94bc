package dev.gatehouse.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HashKeysTest {

    // Computed by an independent implementation of the documented algorithm. A change here moves
    // hashed traffic during a rolling upgrade, when old and new nodes run side by side.
    private static final long PINNED_EMPTY = -5219894777980410442L;
    private static final long PINNED_PATH = -3705101683869767730L;
    private static final long PINNED_IPV4 = 2294782069407028559L;

    @Test
    void valuesArePinnedSoEveryNodeAndReleaseAgrees() {
        assertThat(HashKeys.of("")).isEqualTo(PINNED_EMPTY);
        assertThat(HashKeys.of("/api/v1/users")).isEqualTo(PINNED_PATH);
        assertThat(HashKeys.ofIpv4(0x0A000001)).isEqualTo(PINNED_IPV4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "session-7", "/exactly/16bytes", "/a/path/longer/than/eight/bytes?q=1",
        "café", "日本語のパス", "emoji \uD83D\uDE80 in the middle", "lone \uD800 surrogate", "tail \uDC00"})
    void everyFormHashesTheSameUtf8Bytes(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        long expected = HashKeys.of(utf8);
        assertThat(HashKeys.of(s)).isEqualTo(expected);
        assertThat(HashKeys.of(new StringBuilder(s))).isEqualTo(expected);

        ByteBuf heap = Unpooled.buffer().writeBytes("prefix".getBytes(StandardCharsets.UTF_8)).writeBytes(utf8);
        ByteBuf direct = Unpooled.directBuffer().writeByte('x').writeBytes(utf8);
        try {
            assertThat(HashKeys.of(heap, 6, utf8.length)).isEqualTo(expected);
            assertThat(HashKeys.of(direct, 1, utf8.length)).isEqualTo(expected);
            assertThat(heap.readerIndex()).isZero();
            assertThat(heap.writerIndex()).isEqualTo(6 + utf8.length);
        } finally {
            heap.release();
            direct.release();
        }
    }

    @Test
    void everyLengthAgreesAcrossForms() {
        Random random = new Random(3);
        for (int length = 0; length <= 40; length++) {
            byte[] ascii = new byte[length];
            for (int i = 0; i < length; i++) {
                ascii[i] = (byte) (' ' + random.nextInt(95));
            }
            long expected = HashKeys.of(ascii);
            assertThat(HashKeys.of(new AsciiString(ascii))).as("length %d", length).isEqualTo(expected);
            ByteBuf wrapped = Unpooled.wrappedBuffer(ascii);
            try {
                assertThat(HashKeys.of(wrapped, 0, length)).isEqualTo(expected);
            } finally {
                wrapped.release();
            }
        }
    }

    @Test
    void ipv4IsItsFourNetworkOrderBytes() {
        assertThat(HashKeys.ofIpv4(0x0A000001)).isEqualTo(HashKeys.of(new byte[] {10, 0, 0, 1}));
        assertThat(HashKeys.ofIpv4(0xC0A80AFE))
                .isEqualTo(HashKeys.of(new byte[] {(byte) 192, (byte) 168, 10, (byte) 254}));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "192.0.2.254", "127.0.0.1", "::1", "2001:db8::7", "::ffff:0:a00:1"})
    void aSourceAddressHashesAsItsNetworkOrderBytes(String literal) throws Exception {
        InetAddress address = InetAddress.getByName(literal);
        assertThat(HashKeys.of(address)).isEqualTo(HashKeys.of(address.getAddress()));
    }

    @Test
    void paddingZerosAndLengthsDoNotCollide() {
        assertThat(HashKeys.of(new byte[0])).isNotEqualTo(HashKeys.of(new byte[1]));
        assertThat(HashKeys.of(new byte[] {1})).isNotEqualTo(HashKeys.of(new byte[] {1, 0}));
        assertThat(HashKeys.of(new byte[8])).isNotEqualTo(HashKeys.of(new byte[9]));
    }

    @Test
    void similarKeysSpreadOverAllBits() {
        int keys = 100_000;
        Set<Long> seen = new HashSet<>();
        int[] ones = new int[64];
        for (int i = 0; i < keys; i++) {
            long h = HashKeys.of("user-" + i);
            seen.add(h);
            for (int bit = 0; bit < 64; bit++) {
                ones[bit] += (int) (h >>> bit) & 1;
            }
        }
        assertThat(seen).hasSize(keys);
        for (int bit = 0; bit < 64; bit++) {
            assertThat(ones[bit]).as("bit %d", bit).isBetween(keys / 2 - 1_000, keys / 2 + 1_000);
        }
    }

    @Test
    void flippingOneInputBitFlipsAboutHalfTheOutput() {
        Random random = new Random(5);
        long flipped = 0;
        int trials = 0;
        for (int length : new int[] {1, 4, 7, 8, 13, 32}) {
            byte[] bytes = new byte[length];
            for (int round = 0; round < 200; round++) {
                random.nextBytes(bytes);
                long base = HashKeys.of(bytes);
                for (int bit = 0; bit < length * 8; bit++) {
                    bytes[bit / 8] ^= (byte) (1 << bit % 8);
                    flipped += Long.bitCount(base ^ HashKeys.of(bytes));
                    bytes[bit / 8] ^= (byte) (1 << bit % 8);
                    trials++;
                }
            }
        }
        assertThat(flipped / (double) trials).isBetween(31.5, 32.5);
    }

}
