package dev.gatehouse.gslb;

import java.nio.ByteBuffer;

/**
 * Walks a DNS message's layout without building it: where its question ends, and whether its records end exactly
 * where the message does. Tells a query whose question cannot even be read (dropped, as Knot and BIND do) from one
 * that is malformed further on (answered FORMERR with its question).
 */
final class Wire {

    static final int HEADER = 12;
    private static final int RR_FIXED = 10; // type, class, TTL, RDLENGTH
    private static final int MAX_NAME = 255;

    private Wire() {}

    static int count(ByteBuffer m, int section) {
        return m.getShort(m.position() + 4 + 2 * section) & 0xFFFF;
    }

    /**
     * The offset (from the buffer's position) just past the one question, or -1 when it does not fit, or its name is
     * compressed (nothing comes before it to point to) or longer than a name may be.
     */
    static int questionEnd(ByteBuffer m) {
        int end = skipName(m, HEADER);
        if (end < 0 || end - HEADER > MAX_NAME || compressed(m)) {
            return -1;
        }
        return end + 4 > m.remaining() ? -1 : end + 4;
    }

    /** Whether the question's name holds a compression pointer. */
    private static boolean compressed(ByteBuffer m) {
        int p = HEADER;
        while (true) {
            int length = m.get(m.position() + p) & 0xFF;
            if (length == 0) {
                return false;
            }
            if ((length & 0xC0) == 0xC0) {
                return true;
            }
            p += 1 + length;
        }
    }

    /** Whether the records after the question end exactly where the message does (nothing cut, nothing trailing). */
    static boolean recordsFill(ByteBuffer m, int questionEnd) {
        int records = count(m, 1) + count(m, 2) + count(m, 3);
        int p = questionEnd;
        for (int i = 0; i < records; i++) {
            p = skipName(m, p);
            if (p < 0 || p + RR_FIXED > m.remaining()) {
                return false;
            }
            p += RR_FIXED + (m.getShort(m.position() + p + 8) & 0xFFFF);
        }
        return p == m.remaining();
    }

    /** The offset just past the name at {@code offset}, or -1 when it runs past the end or has a reserved label type. */
    private static int skipName(ByteBuffer m, int offset) {
        int p = offset;
        int limit = m.remaining();
        int base = m.position();
        while (p < limit) {
            int length = m.get(base + p) & 0xFF;
            if (length == 0) {
                return p + 1;
            }
            if ((length & 0xC0) == 0xC0) {
                return p + 2 <= limit ? p + 2 : -1;
            }
            if ((length & 0xC0) != 0) {
                return -1;
            }
            p += 1 + length;
        }
        return -1;
    }
}
