package dev.gatehouse.node;

import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.health.PoolHealth;
import dev.gatehouse.pool.Pool;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Whether this node can serve: the one rule behind VIP ownership (its VIP listeners only) and {@code /healthz}
 * (every listener).
 */
final class ServePolicy {

    private final BooleanSupplier stopping;
    private final BooleanSupplier witness;
    private final BooleanSupplier refusedHere;
    private final BooleanSupplier runsDns;
    private final ListenerSet listeners;
    private final PoolSet pools;

    /**
     * @param refusedHere whether this node refused the cluster's config in force
     * @param runsDns whether it runs the DNS server (a GSLB process with no listeners serves too)
     */
    ServePolicy(BooleanSupplier stopping, BooleanSupplier witness, BooleanSupplier refusedHere, BooleanSupplier runsDns,
            ListenerSet listeners, PoolSet pools) {
        this.stopping = stopping;
        this.witness = witness;
        this.refusedHere = refusedHere;
        this.runsDns = runsDns;
        this.listeners = listeners;
        this.pools = pools;
    }

    /**
     * Why this node cannot serve now, or null when it can: it is stopping, a witness, or refused the config in
     * force, or a pool behind its listeners (its VIP listeners only, for {@code vipOnly}) has no endpoint that
     * passes its checks (a node whose backends are all down must not attract the traffic).
     */
    String unservable(boolean vipOnly) {
        if (stopping.getAsBoolean()) {
            return "stopping";
        }
        if (witness.getAsBoolean()) {
            return "a witness serves no traffic";
        }
        if (refusedHere.getAsBoolean()) {
            return "the cluster's config could not be applied on this node";
        }
        List<ListenerConfig> configured = listeners.configs();
        if (configured.isEmpty() && !vipOnly && !runsDns.getAsBoolean()) {
            return "no listeners";
        }
        for (var l : configured) {
            if (vipOnly && !l.bind().isVip()) {
                continue;
            }
            for (String name : targets(l)) {
                Pool pool = pools.pool(name);
                if (pool == null || pool.view().healthyCount() == 0) {
                    return "pool " + name + " (listener " + l.name() + ") has no healthy endpoint";
                }
            }
        }
        return null;
    }

    /** Whether each pool behind a VIP listener had an endpoint pass an active check since it started. */
    boolean vipPoolsChecked() {
        for (var l : listeners.configs()) {
            if (!l.bind().isVip()) {
                continue;
            }
            for (String name : targets(l)) {
                PoolHealth health = pools.health(name);
                if (health == null || !health.checkPassed()) {
                    return false;
                }
            }
        }
        return true;
    }

    private static List<String> targets(ListenerConfig l) {
        return l.pool() != null ? List.of(l.pool()) : l.routes().stream().map(r -> r.pool()).toList();
    }
}
