package dev.gatehouse.node;

import dev.gatehouse.config.GatehouseConfig;
import java.time.Duration;

/**
 * Turns a validated config into the running pools and listeners, whole or not at all: the pools are built first
 * but published only once every listener has bound, so a failed reload changes nothing.
 */
final class Reconfiguration {

    private final PoolSet pools;
    private final ListenerSet listeners;
    private final PoolGauges gauges;

    Reconfiguration(PoolSet pools, ListenerSet listeners, PoolGauges gauges) {
        this.pools = pools;
        this.listeners = listeners;
        this.gauges = gauges;
    }

    /** @throws Exception when a listener cannot bind; then nothing changed */
    void apply(GatehouseConfig config) throws Exception {
        PoolSet.Staged staged = pools.stage(config.pools());
        try {
            listeners.apply(config.listeners(), drainBound(config), staged::commit);
        } catch (Exception e) {
            staged.abort();
            throw e;
        }
        gauges.register();
    }

    private static Duration drainBound(GatehouseConfig config) {
        return config.pools().values().stream().map(p -> p.drainTimeout()).max(Duration::compareTo).orElse(Duration.ofSeconds(30));
    }
}
