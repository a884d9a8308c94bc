package dev.gatehouse.health;

import java.time.Duration;

/** How long an ejection lasts and how many endpoints of a pool may be ejected at once. */
final class Ejections {

    /**
     * The n-th ejection of an endpoint lasts n times the base, but never more than this many times:
     * a backend that keeps failing is retried every few minutes at worst rather than forgotten.
     */
    static final int MAX_MULTIPLIER = 10;

    private Ejections() {}

    /** @param ejections how many times the endpoint has been ejected, this one included (1 for the first) */
    static long durationNanos(Duration base, int ejections) {
        return base.toNanos() * Math.min(Math.max(ejections, 1), MAX_MULTIPLIER);
    }

    /**
     * floor(fraction * size), except that a non-zero fraction of a pool of two or more allows one,
     * so small pools still get passive protection (as Envoy does); a single endpoint is never ejected
     * by a fraction below 1, since ejecting it leaves nothing to serve. The epsilon keeps 0.29 * 100
     * from flooring to 28.
     */
    static int maxEjected(double fraction, int size) {
        int max = (int) Math.floor(fraction * size + 1e-9);
        return max == 0 && fraction > 0 && size > 1 ? 1 : max;
    }
}
