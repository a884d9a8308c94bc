package dev.gatehouse.node;

import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.tls.TlsService;
import dev.gatehouse.tls.TlsSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns a validated config into the running pools, certificates and listeners, whole or not at all: the pools and
 * certificates are built first but published only once every listener has bound, so a failed reload changes nothing.
 */
final class Reconfiguration {

    private final PoolSet pools;
    private final ListenerSet listeners;
    private final TlsService tls;
    private final PoolGauges gauges;

    Reconfiguration(PoolSet pools, ListenerSet listeners, TlsService tls, PoolGauges gauges) {
        this.pools = pools;
        this.listeners = listeners;
        this.tls = tls;
        this.gauges = gauges;
    }

    /** @throws Exception when a listener cannot bind; then nothing changed */
    void apply(GatehouseConfig config) throws Exception {
        Map<String, TlsSettings> tlsSettings = new HashMap<>();
        config.listeners().forEach(l -> tlsSettings.put(l.name(), l.tls()));
        TlsService.Staged certificates = tls.stage(tlsSettings);
        PoolSet.Staged staged;
        try {
            staged = pools.stage(config.pools()); // a pool's TLS files that no longer load refuse the change
        } catch (RuntimeException e) {
            certificates.abort();
            throw e;
        }
        try {
            listeners.apply(config.listeners(), drainBound(config), () -> {
                certificates.commit();
                staged.commit();
            });
        } catch (Exception e) {
            certificates.abort();
            staged.abort();
            throw e;
        }
        gauges.register();
    }

    private static Duration drainBound(GatehouseConfig config) {
        return config.pools().values().stream().map(p -> p.drainTimeout()).max(Duration::compareTo).orElse(Duration.ofSeconds(30));
    }
}
