package dev.gatehouse.proxy.http.codec;

import java.nio.charset.StandardCharsets;

/** Byte classes of the HTTP grammar (RFC 9110, RFC 9112) and allocation-free comparisons. */
final class Ascii {

    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HTAB = '\t';

    private static final boolean[] TOKEN = new boolean[256];
    private static final boolean[] FIELD_VALUE = new boolean[256];
    private static final boolean[] TARGET = new boolean[256];
    private static final boolean[] REG_NAME = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
            REG_NAME[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = TOKEN[c - 32] = true;
            REG_NAME[c] = REG_NAME[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
        for (char c : "-._~!$&'()*+,;=%".toCharArray()) {
            REG_NAME[c] = true;
        }
        FIELD_VALUE[HTAB] = true;
        for (int c = 0x20; c < 256; c++) {
            FIELD_VALUE[c] = c != 0x7F;
        }
        // Visible ASCII; a fragment ('#') never belongs in a request-target.
        for (int c = 0x21; c < 0x7F; c++) {
            TARGET[c] = c != '#';
        }
    }

    private Ascii() {
    }

    static boolean isToken(byte b) {
        return TOKEN[b & 0xFF];
    }

    /** HTAB, SP, visible ASCII and obs-text: what a field value or reason phrase may hold. */
    static boolean isFieldValue(byte b) {
        return FIELD_VALUE[b & 0xFF];
    }

    static boolean isTarget(byte b) {
        return TARGET[b & 0xFF];
    }

    static boolean isRegName(byte b) {
        return REG_NAME[b & 0xFF];
    }

    static boolean isWhitespace(byte b) {
        return b == SP || b == HTAB;
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        int lower = b | 0x20;
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    static byte toLower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b | 0x20) : b;
    }

    /** Exact comparison of {@code bytes[offset..]} with all of {@code expected}. */
    static boolean regionEquals(byte[] bytes, int offset, byte[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (bytes[offset + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** Case-insensitive comparison of {@code bytes[offset, offset+length)} with a lower-case constant. */
    static boolean equalsLower(byte[] bytes, int offset, int length, byte[] lower) {
        if (length != lower.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (toLower(bytes[offset + i]) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    static boolean equalsIgnoreCase(byte[] bytes, int offset, int length, CharSequence text) {
        if (length != text.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c > 0xFF || toLower(bytes[offset + i]) != toLower((byte) c)) {
                return false;
            }
        }
        return true;
    }

    static boolean equalsIgnoreCase(byte[] bytes, int offset, int otherOffset, int length) {
        for (int i = 0; i < length; i++) {
            if (toLower(bytes[offset + i]) != toLower(bytes[otherOffset + i])) {
                return false;
            }
        }
        return true;
    }

    static boolean equals(byte[] bytes, int offset, int length, CharSequence text) {
        if (length != text.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if ((bytes[offset + i] & 0xFF) != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
