package dev.gatehouse.pool;

/**
 * An endpoint as one published {@link PoolView} sees it.
 *
 * @param effectiveWeight the weight the balancer uses now (lower than configured during slow start)
 */
public record EndpointStatus(Endpoint endpoint, EndpointState state, int effectiveWeight) {}
