package dev.gatehouse.bfd;

/** Why a session last left Up (RFC 5880 §4.1, the Diag field). Codes 9–31 are reserved and never sent. */
public enum Diagnostic {
    NONE,
    CONTROL_DETECTION_TIME_EXPIRED,
    ECHO_FUNCTION_FAILED,
    NEIGHBOR_SIGNALED_SESSION_DOWN,
    FORWARDING_PLANE_RESET,
    PATH_DOWN,
    CONCATENATED_PATH_DOWN,
    ADMINISTRATIVELY_DOWN,
    REVERSE_CONCATENATED_PATH_DOWN;

    private static final Diagnostic[] BY_CODE = values();

    public int code() {
        return ordinal();
    }

    /** The diagnostic a peer sent, or null for a reserved code (which a receiver must accept and ignore). */
    static Diagnostic ofCode(int code) {
        return code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
