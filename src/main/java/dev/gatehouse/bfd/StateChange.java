package dev.gatehouse.bfd;

/**
 * A session moved from one state to another.
 *
 * @param diagnostic the local diagnostic at the change: why it went Down (detection time expired, neighbor
 *     signalled down, administratively down), or the last reason when it comes Up
 * @param atNanos when, on the session's clock ({@link System#nanoTime()} in production)
 * @param peerState the state the peer last reported: AdminDown when it took the session down on purpose, which a
 *     client protocol must not take for a failure (RFC 5882 section 3.2)
 */
public record StateChange(SessionState from, SessionState to, Diagnostic diagnostic, long atNanos,
        SessionState peerState) {

    @Override
    public String toString() {
        return from + " -> " + to + " (" + diagnostic + ")";
    }
}
