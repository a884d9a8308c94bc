package dev.gatehouse.bfd;

/**
 * A session moved from one state to another.
 *
 * @param diagnostic the local diagnostic at the change: why it went Down (detection time expired, neighbor
 *     signalled down, administratively down), or the last reason when it comes Up
 * @param atNanos when, on the session's clock ({@link System#nanoTime()} in production)
 */
public record StateChange(SessionState from, SessionState to, Diagnostic diagnostic, long atNanos) {

    @Override
    public String toString() {
        return from + " -> " + to + " (" + diagnostic + ")";
    }
}
