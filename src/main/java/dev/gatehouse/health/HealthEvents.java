package dev.gatehouse.health;

import dev.gatehouse.pool.EndpointState;
import dev.gatehouse.pool.ZoneRouting;

/**
 * Told of every endpoint state change (and of notable non-changes, where {@code from == to}: an
 * ejection refused by max_ejected, a drain timeout closing connections) so the admin API can stream
 * them and metrics can count them. Called on the control plane with the pool's health lock held:
 * implementations must be quick and must not call back into {@link PoolHealth}.
 */
@FunctionalInterface
public interface HealthEvents {

    HealthEvents IGNORE = (pool, endpoint, from, to, reason) -> {};

    /** @param endpoint the endpoint address, {@code host:port} */
    void event(String pool, String endpoint, EndpointState from, EndpointState to, String reason);

    /** The pool's zone mode changed (it spilled out of the node's zone, came back, panicked...). */
    default void zoneRouting(String pool, ZoneRouting from, ZoneRouting to) {}

    /** The pool went into panic (too few endpoints serving: traffic goes to all of them) or out of it. */
    default void panic(String pool, boolean inPanic, String why) {}
}
