package dev.gatehouse.bfd;

/** The four states of a BFD session (RFC 5880 §4.1), with their wire codes. */
public enum SessionState {
    ADMIN_DOWN,
    DOWN,
    INIT,
    UP;

    private static final SessionState[] BY_CODE = values();

    /** The two-bit code on the wire: the ordinal, as the RFC numbers them in this order. */
    public int code() {
        return ordinal();
    }

    static SessionState ofCode(int code) {
        return BY_CODE[code & 3];
    }
}
