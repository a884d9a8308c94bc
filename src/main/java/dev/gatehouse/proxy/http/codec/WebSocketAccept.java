package dev.gatehouse.proxy.http.codec;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * The WebSocket opening handshake's key and accept values (RFC 6455 section 4.2.2). Checked only for an
 * upgrade, which starts a tunnel: what it allocates is nothing beside that.
 */
final class WebSocketAccept {

    /** Sixteen bytes in base64. */
    static final int KEY_LENGTH = 24;

    private static final byte[] GUID = Ascii.bytes("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");

    private WebSocketAccept() {
    }

    /** Whether {@code bytes[start, start+n)} is a base64 encoding of 16 bytes. */
    static boolean validKey(byte[] bytes, int start, int n) {
        if (n != KEY_LENGTH || bytes[start + 22] != '=' || bytes[start + 23] != '=') {
            return false;
        }
        for (int i = start; i < start + 22; i++) {
            byte b = bytes[i];
            boolean base64 = b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || Ascii.isDigit(b) || b == '+' || b == '/';
            if (!base64) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code accept[start, start+n)} is base64(SHA-1(key + GUID)) for the key at {@code key[keyStart]}. */
    static boolean matches(byte[] key, int keyStart, byte[] accept, int start, int n) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
        sha1.update(key, keyStart, KEY_LENGTH);
        sha1.update(GUID);
        byte[] expected = Base64.getEncoder().encode(sha1.digest());
        return Arrays.equals(expected, 0, expected.length, accept, start, start + n);
    }
}
