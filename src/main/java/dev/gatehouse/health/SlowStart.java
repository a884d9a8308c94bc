package dev.gatehouse.health;

import java.time.Duration;

/** The weight ramp of an endpoint coming back into service. */
final class SlowStart {

    /** Share of the full weight an endpoint gets the moment its ramp begins. */
    static final double INITIAL_SHARE = 0.1;

    private static final long MIN_TICK_NANOS = Duration.ofMillis(10).toNanos();
    private static final long MAX_TICK_NANOS = Duration.ofSeconds(1).toNanos();

    private SlowStart() {}

    /** Linear from 10% of {@code full} at the start of the ramp to {@code full} at its end; at least 1. */
    static int weight(int full, long elapsedNanos, long rampNanos) {
        if (rampNanos <= 0 || elapsedNanos >= rampNanos) {
            return full;
        }
        double progress = Math.max(0, elapsedNanos) / (double) rampNanos;
        double share = INITIAL_SHARE + (1 - INITIAL_SHARE) * progress;
        return (int) Math.max(1, Math.round(full * share));
    }

    /** How often a view is republished during a ramp: a tenth of it, between 10 ms and 1 s. */
    static long tickNanos(long rampNanos) {
        return Math.clamp(rampNanos / 10, MIN_TICK_NANOS, MAX_TICK_NANOS);
    }
}
