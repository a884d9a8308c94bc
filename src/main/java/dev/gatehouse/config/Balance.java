package dev.gatehouse.config;

/** The balancing algorithm of a pool. */
public enum Balance {
    ROUND_ROBIN, LEAST_REQUEST, RANDOM, SOURCE_HASH, MAGLEV, RING_HASH;

    /** Whether the algorithm reads the request's hash key. */
    public boolean hashing() {
        return this == SOURCE_HASH || this == MAGLEV || this == RING_HASH;
    }
}
