package dev.gatehouse.health;

/**
 * The outcome of one active check.
 *
 * @param reason what was seen, for the event log ({@code "HTTP 503"}, {@code "connect: Connection refused"})
 */
public record CheckResult(boolean passed, String reason) {

    static CheckResult pass(String reason) {
        return new CheckResult(true, reason);
    }

    static CheckResult fail(String reason) {
        return new CheckResult(false, reason);
    }
}
