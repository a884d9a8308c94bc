package dev.gatehouse.balance;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteOrder;

/**
 * Deterministic 64-bit hashes of request keys (source address, header or cookie value, path) for
 * the hashing balancers. The value depends only on the bytes, never on the JVM or the process, so
 * every node sends the same key to the same endpoint.
 *
 * <p>All forms agree: {@code of(CharSequence)} hashes the UTF-8 encoding of the chars (as
 * {@link String#getBytes} with UTF-8 would produce it), {@code of(ByteBuf, ...)} the readable
 * bytes in place, and {@code ofIpv4} the four address bytes in network order. An
 * {@link InetAddress} hashes as {@code of(address.getAddress())}.
 *
 * <p>The bytes are consumed as little-endian 64-bit words; each word is multiplied into the state
 * and rotated (one xxhash-style lane), the zero-padded tail likewise, then the length is folded in
 * and the state goes through a full-avalanche finaliser.
 */
public final class HashKeys {

    private static final long SEED = 0x2545F4914F6CDD1DL;
    private static final long P1 = 0x9E3779B97F4A7C15L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private HashKeys() {}

    public static long of(byte[] bytes) {
        int length = bytes.length;
        int words = length & ~7;
        long h = SEED;
        for (int i = 0; i < words; i += 8) {
            h = round(h, (long) LONG_LE.get(bytes, i));
        }
        long tail = 0;
        for (int i = length - 1; i >= words; i--) {
            tail = (tail << 8) | (bytes[i] & 0xff);
        }
        return finish(h, tail, length);
    }

    /** The bytes {@code buf[index, index + length)}, read in place; reader and writer indexes are untouched. */
    public static long of(ByteBuf buf, int index, int length) {
        int words = length & ~7;
        long h = SEED;
        for (int i = 0; i < words; i += 8) {
            h = round(h, buf.getLongLE(index + i));
        }
        long tail = 0;
        for (int i = length - 1; i >= words; i--) {
            tail = (tail << 8) | buf.getUnsignedByte(index + i);
        }
        return finish(h, tail, length);
    }

    /** The UTF-8 encoding of {@code s}, produced on the fly; an unpaired surrogate counts as '?'. */
    public static long of(CharSequence s) {
        long h = SEED;
        long word = 0;
        int filled = 0; // bytes in word
        long length = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            int cp = c;
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                cp = '?';
            }
            // Up to four UTF-8 bytes, lowest-addressed byte in the low bits.
            long enc;
            int count;
            if (cp < 0x80) {
                enc = cp;
                count = 1;
            } else if (cp < 0x800) {
                enc = (0xC0 | cp >>> 6) | (long) (0x80 | cp & 0x3F) << 8;
                count = 2;
            } else if (cp < 0x10000) {
                enc = (0xE0 | cp >>> 12) | (long) (0x80 | cp >>> 6 & 0x3F) << 8
                        | (long) (0x80 | cp & 0x3F) << 16;
                count = 3;
            } else {
                enc = (0xF0 | cp >>> 18) | (long) (0x80 | cp >>> 12 & 0x3F) << 8
                        | (long) (0x80 | cp >>> 6 & 0x3F) << 16 | (long) (0x80 | cp & 0x3F) << 24;
                count = 4;
            }
            length += count;
            word |= enc << (filled * 8);
            filled += count;
            if (filled >= 8) {
                h = round(h, word);
                filled -= 8;
                word = filled == 0 ? 0 : enc >>> ((count - filled) * 8);
            }
        }
        return finish(h, word, length);
    }

    /**
     * The source-address key: the only hash of a client address, which every listener (TCP and HTTP) gives the
     * hashing balancers and the stick tables, so one client has one key in a pool whichever listener it came in by.
     * Equals {@code of(address.getAddress())}; an IPv4 address is hashed without copying it out.
     */
    public static long of(InetAddress address) {
        // Inet4Address.hashCode() is the address as an int; getAddress() would copy it into a new array.
        return address instanceof Inet4Address v4 ? ofIpv4(v4.hashCode()) : of(address.getAddress());
    }

    /** An IPv4 address as an int, {@code 10.0.0.1 = 0x0A000001}: equals {@code of} of its 4 network-order bytes. */
    static long ofIpv4(int address) {
        return finish(SEED, Integer.reverseBytes(address) & 0xFFFFFFFFL, 4);
    }

    /** A bijective 64-bit finaliser: every input bit flips about half the output bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long round(long h, long word) {
        return Long.rotateLeft(h ^ (word * P2), 31) * P1;
    }

    private static long finish(long h, long tail, long length) {
        return mix(round(h, tail) ^ length);
    }
}
