package dev.gatehouse.pool;

import java.util.List;
import java.util.Locale;

/**
 * How a published {@link PoolView} splits new traffic between the zones of a pool's endpoints, and why.
 *
 * @param localZone the node's zone when the pool prefers it, else null
 * @param minHealthy the share of the local zone's capacity that keeps all traffic in it (zone_aware.min_healthy)
 * @param zones every zone of the pool's endpoints in config order; empty when no endpoint has a zone
 */
public record ZoneRouting(Mode mode, String localZone, double minHealthy, List<Zone> zones) {

    /** Endpoints without a zone are grouped under this name, which no zone can have (names start with a letter or digit). */
    public static final String NO_ZONE = "-";

    /** The zone {@code endpoint} counts in: its own, or {@link #NO_ZONE}. */
    public static String zoneOf(Endpoint endpoint) {
        return endpoint.zone() == null ? NO_ZONE : endpoint.zone();
    }

    /** A pool that has no zones, or a node without one. */
    public static final ZoneRouting NONE = new ZoneRouting(Mode.OFF, null, 0, List.of());

    public enum Mode {
        /** Zones play no part: the node has no zone, the pool has no endpoint in it, or zone_aware is off. */
        OFF,
        /** Every new request goes to the node's zone. */
        LOCAL,
        /** The node's zone is below min_healthy: it keeps part of the traffic, the rest goes to the other zones. */
        SPILL,
        /** The pool as a whole is below its panic threshold: zones are ignored, as every health state is. */
        PANIC;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One zone as the view sees it.
     *
     * @param endpoints configured endpoints in the zone, draining ones included
     * @param healthy endpoints in it that take new traffic (healthy or in slow start)
     * @param capacity the serving share of the zone's weight (slow start ramps count as far as they got; draining
     *     endpoints are left out of the whole), 0..1
     * @param share the fraction of new picks the zone gets, 0..1
     */
    public record Zone(String name, int endpoints, int healthy, double capacity, double share) {}

    public ZoneRouting {
        zones = List.copyOf(zones);
    }

    /** The zone named {@code name}, or null. */
    public Zone zone(String name) {
        for (Zone z : zones) {
            if (z.name().equals(name)) {
                return z;
            }
        }
        return null;
    }

    /** One line for events and logs: the mode, the local zone's standing against the threshold, each zone's share. */
    public String summary() {
        StringBuilder out = new StringBuilder(mode.label());
        Zone local = localZone == null ? null : zone(localZone);
        if (local != null) {
            out.append(String.format(Locale.ROOT, ": %s has %d/%d healthy, %.0f%% of its capacity (min_healthy %.0f%%)",
                    local.name(), local.healthy(), local.endpoints(), local.capacity() * 100, minHealthy * 100));
        }
        String sep = "; shares ";
        for (Zone z : zones) {
            out.append(sep).append(String.format(Locale.ROOT, "%s %.1f%%", z.name(), z.share() * 100));
            sep = ", ";
        }
        return out.toString();
    }
}
