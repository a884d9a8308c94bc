package dev.gatehouse.config;

import java.util.regex.Pattern;

/** Checks the names a config gives to things (listeners, pools, VIPs, members) and HTTP tokens. */
public final class Names {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    // RFC 9110 token: header and cookie names.
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

    private Names() {}

    /** A name of up to 64 letters, digits, '_', '-' or '.', starting with a letter or digit. */
    public static String identifier(String text) {
        if (!IDENTIFIER.matcher(text).matches()) {
            throw new IllegalArgumentException(
                    "must be a name of letters, digits, '_', '-' or '.' starting with a letter or digit, got '" + text + "'");
        }
        return text;
    }

    /** An HTTP token: a valid header or cookie name. */
    public static String token(String text) {
        if (!TOKEN.matcher(text).matches()) {
            throw new IllegalArgumentException("must be a valid header or cookie name (no spaces, quotes or separators), got '"
                    + text + "'");
        }
        return text;
    }
}
