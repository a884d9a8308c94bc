package dev.gatehouse.limit;

import dev.gatehouse.config.LimitsConfig;

/**
 * A listener's per-client limits in the units the buckets use: a token is worth {@code nanosPerToken} of refill
 * time, a full bucket {@code burstNanos}. A bucket may be debited by other nodes down to minus a full burst,
 * {@code 2 × burstNanos} short of full.
 *
 * @param connections concurrent connections per client (0: unlimited)
 */
record RatePolicy(long nanosPerToken, long burstNanos, int connections) {

    /** Keeps every sum of two instants and a deficit far from overflow. */
    private static final long MAX_NANOS = Long.MAX_VALUE / 8;

    static RatePolicy of(LimitsConfig.PerClient p) {
        long perToken = Math.max(1, Math.min(MAX_NANOS, Math.round(1e9 / p.requestsPerSecond())));
        long burst = perToken > MAX_NANOS / p.burst() ? MAX_NANOS : perToken * p.burst();
        return new RatePolicy(perToken, burst, p.connections());
    }

    /** The largest deficit: the bucket at minus a full burst. */
    long floorNanos() {
        return 2 * burstNanos;
    }

    /** Whether buckets filled under {@code other} mean the same under this policy. */
    boolean sameRate(RatePolicy other) {
        return other != null && nanosPerToken == other.nanosPerToken && burstNanos == other.burstNanos;
    }
}
