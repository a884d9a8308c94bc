package dev.gatehouse.config;

import java.time.Duration;

/**
 * Passive outlier detection: after {@code consecutiveFailures} failed requests or connects in a row an
 * endpoint is ejected for {@code baseEjection} times the number of times it was ejected before,
 * never more than {@code maxEjected} (a fraction 0..1) of the pool at once.
 */
public record OutlierConfig(int consecutiveFailures, Duration baseEjection, double maxEjected) {}
