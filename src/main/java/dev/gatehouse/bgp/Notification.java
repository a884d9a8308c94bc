package dev.gatehouse.bgp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A NOTIFICATION (RFC 4271 section 4.5): the error code, its subcode and the data that says what was wrong. Sent
 * before a session is closed, received when the peer closes one.
 */
public record Notification(int code, int subcode, byte[] data) implements BgpMessage {

    public static final int HEADER_ERROR = 1;
    public static final int OPEN_ERROR = 2;
    public static final int UPDATE_ERROR = 3;
    public static final int HOLD_TIMER_EXPIRED = 4;
    public static final int FSM_ERROR = 5;
    public static final int CEASE = 6;

    // Message Header Error subcodes
    public static final int CONNECTION_NOT_SYNCHRONIZED = 1;
    public static final int BAD_MESSAGE_LENGTH = 2;
    public static final int BAD_MESSAGE_TYPE = 3;
    // OPEN Message Error subcodes
    public static final int UNSUPPORTED_VERSION = 1;
    public static final int BAD_PEER_AS = 2;
    public static final int BAD_BGP_IDENTIFIER = 3;
    public static final int UNSUPPORTED_OPTIONAL_PARAMETER = 4;
    public static final int UNACCEPTABLE_HOLD_TIME = 6;
    public static final int UNSUPPORTED_CAPABILITY = 7;
    // UPDATE Message Error subcodes
    public static final int MALFORMED_ATTRIBUTE_LIST = 1;
    public static final int UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE = 2;
    public static final int MISSING_WELL_KNOWN_ATTRIBUTE = 3;
    public static final int ATTRIBUTE_FLAGS_ERROR = 4;
    public static final int ATTRIBUTE_LENGTH_ERROR = 5;
    public static final int INVALID_ORIGIN = 6;
    public static final int INVALID_NEXT_HOP = 8;
    public static final int OPTIONAL_ATTRIBUTE_ERROR = 9;
    public static final int INVALID_NETWORK_FIELD = 10;
    public static final int MALFORMED_AS_PATH = 11;
    // FSM Error subcodes (RFC 6608)
    public static final int UNEXPECTED_IN_OPEN_SENT = 1;
    public static final int UNEXPECTED_IN_OPEN_CONFIRM = 2;
    public static final int UNEXPECTED_IN_ESTABLISHED = 3;
    // Cease subcodes (RFC 4486)
    public static final int ADMINISTRATIVE_SHUTDOWN = 2;
    public static final int ADMINISTRATIVE_RESET = 4;
    /** RFC 9384: the BFD session beside the BGP session went down. */
    public static final int BFD_DOWN = 10;

    /** RFC 8203: a shutdown communication is at most 128 octets of UTF-8. */
    static final int MAX_COMMUNICATION = 128;

    public Notification {
        data = data.clone();
    }

    public Notification(int code, int subcode) {
        this(code, subcode, new byte[0]);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    int dataLength() {
        return data.length;
    }

    /**
     * A Cease (Administrative Shutdown) carrying {@code communication} for the peer's operator (RFC 8203), cut to
     * 128 octets on a character boundary.
     */
    public static Notification shutdown(String communication) {
        byte[] text = truncated(communication);
        byte[] data = new byte[text.length + 1];
        data[0] = (byte) text.length;
        System.arraycopy(text, 0, data, 1, text.length);
        return new Notification(CEASE, ADMINISTRATIVE_SHUTDOWN, data);
    }

    private static byte[] truncated(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int end = Math.min(bytes.length, MAX_COMMUNICATION);
        while (end < bytes.length && end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--; // never split a UTF-8 sequence
        }
        return Arrays.copyOf(bytes, end);
    }

    /** The shutdown communication of a Cease shutdown or reset, or null when it carries none (or a malformed one). */
    public String communication() {
        if (code != CEASE || (subcode != ADMINISTRATIVE_SHUTDOWN && subcode != ADMINISTRATIVE_RESET) || data.length == 0) {
            return null;
        }
        int length = data[0] & 0xFF;
        if (length > MAX_COMMUNICATION || length + 1 > data.length) {
            return null;
        }
        return new String(data, 1, length, StandardCharsets.UTF_8);
    }

    /** Code/subcode with their names, the shutdown communication if any, else the data in hex. */
    public String describe() {
        String what = code + "/" + subcode + " " + NotificationNames.of(code, subcode);
        String text = communication();
        if (text != null) {
            return what + " \"" + text + "\"";
        }
        return data.length == 0 ? what : what + " data " + HexFormat.of().formatHex(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Notification n && n.code == code && n.subcode == subcode && Arrays.equals(n.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * code + subcode) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NOTIFICATION " + describe();
    }
}
