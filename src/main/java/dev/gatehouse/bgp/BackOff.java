package dev.gatehouse.bgp;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a session waits before its next connection attempt: {@code initial}, doubling after every failure up to
 * {@code max}, back to {@code initial} once a session stayed up for {@link #stableAfter}. A peer that accepts and
 * then rejects every session (a wrong AS, a bad message) so costs one attempt per {@code max}, not a tight loop.
 */
public record BackOff(Duration initial, Duration max, Duration stableAfter) {

    public static final BackOff DEFAULT = new BackOff(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(30));

    public BackOff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(stableAfter, "stableAfter");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("back-off needs 0 < initial <= max, was " + initial + ", " + max);
        }
    }

    /** The wait after {@code failures} consecutive failures (1 or more). */
    Duration after(int failures) {
        Duration wait = initial;
        for (int i = 1; i < failures && wait.compareTo(max) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(max) > 0 ? max : wait;
    }
}
