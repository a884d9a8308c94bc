package dev.gatehouse.bfd;

import java.util.Locale;

/**
 * Why a received packet was discarded: the reception checks of RFC 5880 §6.8.6 in their order, then those of the
 * session lookup. Each is counted in {@code gatehouse_bfd_packets_dropped_total{reason}}.
 */
enum Drop {
    /** Shorter than the 24-byte mandatory section, or than its own Length field, or a Length below 24 (26 with A). */
    BAD_LENGTH,
    /** Version other than 1. */
    BAD_VERSION,
    /** Detect Mult zero. */
    ZERO_DETECT_MULT,
    /** Multipoint (M) bit set. */
    MULTIPOINT,
    /** My Discriminator zero. */
    ZERO_MY_DISCRIMINATOR,
    /** Poll and Final both set (§4.1: a packet MUST NOT carry both). */
    POLL_AND_FINAL,
    /** Authentication present (A bit) while this session uses none. */
    AUTHENTICATION,
    /** Your Discriminator names no session here. */
    UNKNOWN_DISCRIMINATOR,
    /** Your Discriminator names a session, but the packet came from another address or to another local one. */
    WRONG_ADDRESS,
    /** Your Discriminator zero while the sender's state is Init or Up. */
    ZERO_YOUR_DISCRIMINATOR,
    /** Your Discriminator zero and no session for the packet's source and destination addresses. */
    NO_SESSION,
    /** The session is not started yet, or closed. */
    NOT_RUNNING,
    /** The local session is AdminDown (§6.8.6 discards the packet after recording the remote's values). */
    ADMIN_DOWN;

    /** The metric tag: lower case, as Prometheus labels usually are. */
    String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
