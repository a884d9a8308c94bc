package dev.gatehouse.health;

import dev.gatehouse.pool.EndpointState;
import dev.gatehouse.pool.EndpointStatus;
import dev.gatehouse.pool.ZoneRouting;
import dev.gatehouse.pool.ZoneRouting.Mode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The zone split of one view: a pure function of the endpoints' standing, computed when health changes, never
 * per request. It yields, per zone, the factor each serving endpoint's weight is multiplied by in the balancer.
 *
 * <p>While the local zone serves at least {@code min_healthy} of its capacity, it takes everything. Below that it
 * keeps {@code capacity / min_healthy} of the traffic, so each of its surviving endpoints carries what it carried
 * at the threshold and only the excess leaves the zone, and never less than its share of the pool's healthy
 * capacity; the rest goes to the other zones in proportion to their healthy capacity. A zone with no capacity
 * gets nothing. Capacity is weight, so weights and slow-start ramps count; draining endpoints are out of the sums.
 */
final class ZoneChoice {

    /**
     * Spilled weights are scaled so the balancer's weights sum to about this (0.01 % steps, a short round-robin
     * cycle), or to 100 per endpoint in larger pools, so that no endpoint's share is rounded up to a whole unit.
     */
    static final int QUANTUM = 10_000;
    /** Keeps 7 of 10 at 70 % from falling below the threshold through rounding. */
    private static final double EPSILON = 1e-9;

    /**
     * @param routing what status, metrics and events show
     * @param factors per zone name: 0 leaves its endpoints out, 1 keeps their weight, else their weight is scaled
     */
    record Plan(ZoneRouting routing, Map<String, Double> factors) {

        double factor(String zone) {
            return factors.getOrDefault(zone, 0.0);
        }
    }

    /** Sums of one zone over the standing. */
    private static final class Sums {
        int endpoints;
        int healthy;
        long full; // configured weight of endpoints not draining
        long capacity; // weight of serving endpoints, as ramped
        long inView; // weight the zone has in a zone-blind view (OFF, PANIC)
    }

    private ZoneChoice() {}

    static String zoneOf(EndpointStatus status) {
        return ZoneRouting.zoneOf(status.endpoint());
    }

    /**
     * @param inView every endpoint with its weight in a zone-blind view (what the pool would do without zones): a
     *     serving endpoint's weight as ramped, in panic the configured weight of the others not draining, else 0
     */
    static Plan plan(List<EndpointStatus> inView, boolean panic, ZonePreference preference) {
        Map<String, Sums> zones = new LinkedHashMap<>();
        boolean anyZone = false;
        for (EndpointStatus s : inView) {
            anyZone |= s.endpoint().zone() != null;
            Sums z = zones.computeIfAbsent(zoneOf(s), k -> new Sums());
            z.endpoints++;
            if (s.state() != EndpointState.DRAINING) {
                z.full += ViewBuilder.fullWeight(s.endpoint());
            }
            if (s.state().serving()) {
                z.healthy++;
                z.capacity += s.effectiveWeight();
            }
            z.inView += s.effectiveWeight();
        }
        if (!anyZone) {
            return new Plan(ZoneRouting.NONE, Map.of(ZoneRouting.NO_ZONE, 1.0));
        }
        Mode mode = !preference.active() ? Mode.OFF : panic ? Mode.PANIC : localHolds(zones.get(preference.localZone()), preference)
                ? Mode.LOCAL : Mode.SPILL;
        Map<String, Double> shares = switch (mode) {
            case OFF, PANIC -> blindShares(zones);
            case LOCAL -> Map.of(preference.localZone(), 1.0);
            case SPILL -> spillShares(zones, preference);
        };
        double quantum = Math.max(QUANTUM, 100.0 * inView.size());
        Map<String, Double> factors = new LinkedHashMap<>();
        List<ZoneRouting.Zone> routing = new ArrayList<>();
        zones.forEach((name, z) -> {
            double share = shares.getOrDefault(name, 0.0);
            factors.put(name, switch (mode) {
                case OFF, PANIC -> 1.0;
                case LOCAL -> share;
                case SPILL -> z.capacity == 0 ? 0.0 : share * quantum / z.capacity;
            });
            routing.add(new ZoneRouting.Zone(name, z.endpoints, z.healthy, ratio(z), share));
        });
        return new Plan(new ZoneRouting(mode, preference.localZone(), preference.minHealthy(), routing), factors);
    }

    private static boolean localHolds(Sums local, ZonePreference preference) {
        return local.capacity > 0 && local.capacity >= (preference.minHealthy() - EPSILON) * local.full;
    }

    private static double ratio(Sums z) {
        return z.full == 0 ? 0 : Math.min(1, z.capacity / (double) z.full);
    }

    /** Each zone by its weight in the zone-blind view. */
    private static Map<String, Double> blindShares(Map<String, Sums> zones) {
        long total = zones.values().stream().mapToLong(z -> z.inView).sum();
        Map<String, Double> shares = new LinkedHashMap<>();
        zones.forEach((name, z) -> shares.put(name, total == 0 ? 0 : z.inView / (double) total));
        return shares;
    }

    private static Map<String, Double> spillShares(Map<String, Sums> zones, ZonePreference preference) {
        Sums local = zones.get(preference.localZone());
        long total = zones.values().stream().mapToLong(z -> z.capacity).sum();
        long remote = total - local.capacity;
        Map<String, Double> shares = new LinkedHashMap<>();
        if (total == 0) {
            return shares; // nothing serves anywhere: an empty balancer, as without zones
        }
        double kept = preference.minHealthy() > 0 ? ratio(local) / preference.minHealthy() : 0;
        double localShare = Math.min(1, Math.max(kept, local.capacity / (double) total));
        shares.put(preference.localZone(), localShare);
        zones.forEach((name, z) -> {
            if (!name.equals(preference.localZone())) {
                shares.put(name, remote == 0 ? 0 : (1 - localShare) * z.capacity / remote);
            }
        });
        return shares;
    }
}
