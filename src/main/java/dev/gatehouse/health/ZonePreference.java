package dev.gatehouse.health;

import dev.gatehouse.config.EndpointConfig;
import dev.gatehouse.config.PoolConfig;

/**
 * Whether a pool prefers a zone, and which: the node's, when the pool is zone-aware and has an endpoint there.
 *
 * @param localZone null: no preference (zones are then only reported)
 */
record ZonePreference(String localZone, double minHealthy) {

    static final ZonePreference NONE = new ZonePreference(null, 0);

    /** @param nodeZone {@code node.zone}, null when the node has none */
    static ZonePreference of(PoolConfig config, String nodeZone) {
        if (nodeZone == null || !config.zoneAware().enabled()) {
            return NONE;
        }
        for (EndpointConfig e : config.endpoints()) {
            if (nodeZone.equals(e.zone())) {
                return new ZonePreference(nodeZone, config.zoneAware().minHealthy());
            }
        }
        return NONE;
    }

    boolean active() {
        return localZone != null;
    }
}
