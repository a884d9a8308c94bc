package dev.gatehouse.proxy.http.codec;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * The WebSocket opening handshake (RFC 6455 section 4): the only upgrade this proxy passes on, and the only 101
 * that opens a tunnel. Checked only for requests that ask to upgrade, so what it allocates is nothing beside
 * the tunnel that follows.
 */
final class WebSocketHandshake {

    /** Sixteen bytes in base64. */
    static final int KEY_LENGTH = 24;

    private static final byte[] GUID = Ascii.bytes("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    private static final byte[] WEBSOCKET = Ascii.bytes("websocket");
    private static final byte[] VERSION_13 = Ascii.bytes("13");
    private static final String SEC_WEBSOCKET_KEY = "Sec-WebSocket-Key";
    private static final String SEC_WEBSOCKET_VERSION = "Sec-WebSocket-Version";
    private static final String SEC_WEBSOCKET_ACCEPT = "Sec-WebSocket-Accept";

    private WebSocketHandshake() {
    }

    /**
     * Where the Sec-WebSocket-Key of a request asking to upgrade starts, when it is an opening handshake: one
     * Upgrade field, exactly "websocket", {@code Sec-WebSocket-Version: 13} and a key of 16 bytes in base64;
     * otherwise -1.
     */
    static int requestKey(RequestHead request) {
        int version = onlyField(request, SEC_WEBSOCKET_VERSION);
        int key = onlyField(request, SEC_WEBSOCKET_KEY);
        if (!upgradesToWebSocket(request) || version < 0 || key < 0
                || !Ascii.equalsLower(request.bytes, request.valueStart[version], length(request, version), VERSION_13)
                || !validKey(request.bytes, request.valueStart[key], length(request, key))) {
            return -1;
        }
        return request.valueStart[key];
    }

    /**
     * Whether a 101 accepts the request's handshake (section 4.2.2): {@code Upgrade: websocket}, Connection
     * listing "upgrade", and the Sec-WebSocket-Accept computed from the request's key.
     */
    static boolean accepted(RequestHead request, ResponseHead response) {
        int accept = onlyField(response, SEC_WEBSOCKET_ACCEPT);
        return request.upgrade() && response.connectionUpgrade && upgradesToWebSocket(response) && accept >= 0
                && matches(request.bytes, request.webSocketKey(), response.bytes, response.valueStart[accept], length(response, accept));
    }

    private static boolean upgradesToWebSocket(MessageHead head) {
        int upgrades = 0;
        boolean websocket = false;
        for (int i = 0; i < head.fieldCount; i++) {
            if (head.isKind(i, FieldKind.UPGRADE)) {
                upgrades++;
                websocket = Ascii.equalsLower(head.bytes, head.valueStart[i], length(head, i), WEBSOCKET);
            }
        }
        return upgrades == 1 && websocket;
    }

    /** The index of the only field with this name, or -1 when there is none or more than one. */
    private static int onlyField(MessageHead head, String name) {
        int found = -1;
        for (int i = 0; i < head.fieldCount; i++) {
            if (Ascii.equalsIgnoreCase(head.bytes, head.lineStart[i], head.nameEnd[i] - head.lineStart[i], name)) {
                if (found >= 0) {
                    return -1;
                }
                found = i;
            }
        }
        return found;
    }

    private static int length(MessageHead head, int field) {
        return head.valueEnd[field] - head.valueStart[field];
    }

    private static boolean validKey(byte[] bytes, int start, int n) {
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
    private static boolean matches(byte[] key, int keyStart, byte[] accept, int start, int n) {
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
