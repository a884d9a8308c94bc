package dev.gatehouse.bgp;

import java.time.Duration;

/**
 * One session as status shows it.
 *
 * @param uptime how long it has been Established; null when it is not
 * @param flaps how many times it left Established
 * @param lastError why it last went down or failed to come up; null when it never did
 * @param holdTime the negotiated hold time in seconds; -1 before one was agreed
 * @param bfd the state of the BFD session beside it ("up", "down", "init", "admin down"); null without BFD
 */
public record PeerStatus(String address, int port, long as, SessionState state, Duration uptime, int flaps,
        String lastError, int holdTime, String bfd) {}
