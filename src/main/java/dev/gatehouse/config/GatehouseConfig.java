package dev.gatehouse.config;

import java.util.List;
import java.util.Map;

/**
 * The whole validated config of one process. Immutable; the data plane reads it through a
 * {@link Snapshot}. {@code cluster}, {@code alerts} and {@code gslb} are null when the file omits them.
 *
 * @param pools in file order (a LinkedHashMap), so endpoint order and ids are the same on every node
 */
public record GatehouseConfig(
        NodeConfig node,
        List<ListenerConfig> listeners,
        Map<String, PoolConfig> pools,
        ClusterConfig cluster,
        AlertsConfig alerts,
        GslbConfig gslb) {

    public GatehouseConfig {
        listeners = List.copyOf(listeners);
        pools = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(pools));
    }
}
