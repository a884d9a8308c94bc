package dev.gatehouse.health;

import dev.gatehouse.config.EndpointConfig;
import dev.gatehouse.config.HealthConfig;
import dev.gatehouse.config.OutlierConfig;
import dev.gatehouse.config.PoolConfig;
import java.util.Objects;

/**
 * What a pool's config must hold for {@link PoolHealth} to run it. The config loader reports what it reads with the
 * file, line and key; this guards every way a pool is built, tests and code that builds configs included.
 */
final class PoolInvariants {

    private PoolInvariants() {}

    /** Throws IllegalArgumentException, naming the pool and the key, for the first value a pool cannot run with. */
    static void check(PoolConfig config) {
        Objects.requireNonNull(config, "config");
        String pool = "pool " + config.name() + ": ";
        if (config.name() == null || config.name().isBlank()) {
            throw new IllegalArgumentException("pool name must not be blank, got '" + config.name() + "'");
        }
        if (!(config.panicThreshold() >= 0 && config.panicThreshold() <= 1)) {
            throw new IllegalArgumentException(pool + "panic_threshold must be within 0..1, got " + config.panicThreshold());
        }
        double minHealthy = config.zoneAware().minHealthy();
        if (!(minHealthy >= 0 && minHealthy <= 1)) {
            throw new IllegalArgumentException(pool + "zone_aware.min_healthy must be within 0..1, got " + minHealthy);
        }
        if (config.slowStart() != null && config.slowStart().isNegative()) {
            throw new IllegalArgumentException(pool + "slow_start must not be negative, got " + config.slowStart());
        }
        if (config.drainTimeout() != null && config.drainTimeout().isNegative()) {
            throw new IllegalArgumentException(pool + "drain_timeout must not be negative, got " + config.drainTimeout());
        }
        for (EndpointConfig endpoint : config.endpoints()) {
            // Scaled by 100 for ramps, summed by balancers: keep it far from int overflow.
            if (endpoint.weight() < 1 || endpoint.weight() > 1_000_000) {
                throw new IllegalArgumentException(pool + "endpoint " + endpoint.address()
                        + " weight must be within 1..1000000, got " + endpoint.weight());
            }
        }
        HealthConfig health = config.health();
        if (health != null) {
            if (health.interval() == null || health.interval().isNegative() || health.interval().isZero()) {
                throw new IllegalArgumentException(pool + "health.interval must be positive, got " + health.interval());
            }
            if (health.rise() < 1 || health.fall() < 1) {
                throw new IllegalArgumentException(pool + "health.rise and health.fall must be at least 1, got "
                        + health.rise() + " and " + health.fall());
            }
        }
        OutlierConfig outlier = config.outlier();
        if (outlier != null) {
            if (outlier.consecutiveFailures() < 1) {
                throw new IllegalArgumentException(pool + "outlier.consecutive_failures must be at least 1, got "
                        + outlier.consecutiveFailures());
            }
            if (outlier.baseEjection() == null || outlier.baseEjection().isNegative() || outlier.baseEjection().isZero()) {
                throw new IllegalArgumentException(pool + "outlier.base_ejection must be positive, got " + outlier.baseEjection());
            }
            if (!(outlier.maxEjected() >= 0 && outlier.maxEjected() <= 1)) {
                throw new IllegalArgumentException(pool + "outlier.max_ejected must be within 0..1, got " + outlier.maxEjected());
            }
        }
    }
}
