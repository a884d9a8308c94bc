package dev.gatehouse.bgp;

import java.util.Locale;

/**
 * A BGP community (RFC 1997): two 16-bit halves, written {@code ASN:VALUE}. The well-known ones may be written by
 * name: {@code graceful_shutdown} (RFC 8326), {@code no_export}, {@code no_advertise}, {@code no_export_subconfed},
 * {@code blackhole} (RFC 7999).
 */
public record Community(int high, int low) {

    /** RFC 8326: the router should lower the preference of routes carrying it, ahead of their withdrawal. */
    public static final Community GRACEFUL_SHUTDOWN = new Community(0xFFFF, 0x0000);

    public Community {
        if (high < 0 || high > 0xFFFF || low < 0 || low > 0xFFFF) {
            throw new IllegalArgumentException("community halves must be 0-65535, were " + high + ":" + low);
        }
    }

    int value() {
        return high << 16 | low;
    }

    /**
     * Reads {@code ASN:VALUE} (each 0-65535) or a well-known name.
     *
     * @throws IllegalArgumentException with a message that says what is wrong
     */
    public static Community parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        switch (t) {
            case "graceful_shutdown": return GRACEFUL_SHUTDOWN;
            case "blackhole": return new Community(0xFFFF, 0x029A);
            case "no_export": return new Community(0xFFFF, 0xFF01);
            case "no_advertise": return new Community(0xFFFF, 0xFF02);
            case "no_export_subconfed": return new Community(0xFFFF, 0xFF03);
            default: break;
        }
        int colon = t.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected ASN:VALUE (e.g. 65001:100) or a well-known name, got '" + text + "'");
        }
        return new Community(half(t.substring(0, colon), text), half(t.substring(colon + 1), text));
    }

    private static int half(String digits, String text) {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("expected ASN:VALUE with numbers 0-65535, got '" + text + "'");
        }
        int n = Integer.parseInt(digits);
        if (n > 0xFFFF) {
            throw new IllegalArgumentException("community halves must be 0-65535, got '" + text + "'");
        }
        return n;
    }

    @Override
    public String toString() {
        return high + ":" + low;
    }
}
