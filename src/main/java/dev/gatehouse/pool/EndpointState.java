package dev.gatehouse.pool;

/** What the health machinery says of an endpoint; only HEALTHY and SLOW_START take new traffic. */
public enum EndpointState {
    HEALTHY, UNHEALTHY, EJECTED, DRAINING, SLOW_START;

    public boolean serving() {
        return this == HEALTHY || this == SLOW_START;
    }

    public String label() {
        return name().toLowerCase();
    }
}
