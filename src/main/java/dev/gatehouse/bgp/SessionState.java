package dev.gatehouse.bgp;

import java.util.Locale;

/**
 * The RFC 4271 session states. This speaker only connects (it never listens on port 179), so Active means: the
 * last connection attempt failed and the connect-retry timer runs before the next one.
 */
public enum SessionState {
    IDLE, CONNECT, ACTIVE, OPEN_SENT, OPEN_CONFIRM, ESTABLISHED;

    /** RFC 4271's spelling: Idle, Connect, Active, OpenSent, OpenConfirm, Established. */
    public String label() {
        return switch (this) {
            case OPEN_SENT -> "OpenSent";
            case OPEN_CONFIRM -> "OpenConfirm";
            default -> name().charAt(0) + name().substring(1).toLowerCase(Locale.ROOT);
        };
    }
}
