package dev.gatehouse.config;

/**
 * A pool's preference for endpoints in the node's own zone ({@code node.zone}).
 *
 * @param enabled false: the pool ignores zones, as a pool without zoned endpoints does
 * @param minHealthy fraction 0..1 of the local zone's capacity that must serve for the zone to take all the node's
 *     traffic; below it the zone keeps a proportional part and the rest spills to the other zones
 */
public record ZoneAwareConfig(boolean enabled, double minHealthy) {

    /** What a pool without {@code zone_aware:} gets: on, 70 %. */
    public static final ZoneAwareConfig DEFAULT = new ZoneAwareConfig(true, 0.7);
}
