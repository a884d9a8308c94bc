package dev.gatehouse.proxy.http.codec;

import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A reusable text window onto head bytes, so routing can read the host or path of every request
 * without allocating. It changes when the next message is parsed into the same head.
 */
final class AsciiView implements CharSequence {

    private byte[] array = new byte[0];
    private int offset;
    private int length;

    void set(byte[] array, int offset, int length) {
        this.array = array;
        this.offset = offset;
        this.length = length;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        Objects.checkIndex(index, length);
        return (char) (array[offset + index] & 0xFF);
    }

    /** A detached copy, which outlives the view. */
    @Override
    public CharSequence subSequence(int start, int end) {
        Objects.checkFromToIndex(start, end, length);
        return new AsciiString(array, offset + start, end - start, true);
    }

    @Override
    public String toString() {
        return new String(array, offset, length, StandardCharsets.ISO_8859_1);
    }
}
