package dev.gatehouse.config;

import java.time.Duration;

/**
 * A pool's stick table: the first endpoint picked for an affinity key (the {@code hash_on} value) is remembered
 * and reused while it serves, on every node of the cluster.
 *
 * @param expire how long an entry lives after its last use
 * @param size the most entries the table holds; beyond it the entries closest to expiry are evicted
 */
public record StickConfig(Duration expire, int size) {

    public static final Duration DEFAULT_EXPIRE = Duration.ofMinutes(30);
    public static final int DEFAULT_SIZE = 100_000;
    public static final int MAX_SIZE = 10_000_000;
}
