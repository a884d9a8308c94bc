package dev.gatehouse.node;

import dev.gatehouse.health.PoolHealth;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.EndpointState;
import dev.gatehouse.pool.EndpointStatus;
import dev.gatehouse.pool.PoolView;
import dev.gatehouse.pool.ZoneRouting;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Gauges of pool and endpoint state. Each reads the pool by name at scrape time, so it follows the pool
 * across reloads; one registered for an endpoint a reload removed reads NaN.
 */
final class PoolGauges {

    private final Metrics metrics;
    private final PoolSet pools;
    private final Set<String> registered = new HashSet<>();
    /** Pool and zone, then every endpoint address ever configured in that zone. */
    private final Map<String, Set<String>> zoneMembers = new ConcurrentHashMap<>();

    PoolGauges(Metrics metrics, PoolSet pools) {
        this.metrics = metrics;
        this.pools = pools;
    }

    /** Registers gauges for pools and endpoints not seen before. */
    synchronized void register() {
        for (PoolHealth h : pools.all()) {
            String pool = h.pool().name();
            if (registered.add(pool)) {
                metrics.gauge("gatehouse_pool_panic", "1 while the pool is below its panic threshold",
                        () -> view(pool) == null ? Double.NaN : view(pool).panic() ? 1 : 0, "pool", pool);
                metrics.gauge("gatehouse_pool_serving_endpoints", "Endpoints taking new traffic",
                        () -> view(pool) == null ? Double.NaN : view(pool).healthyCount(), "pool", pool);
                for (ZoneRouting.Mode mode : ZoneRouting.Mode.values()) {
                    metrics.gauge("gatehouse_pool_zone_mode", "1 for how the pool splits traffic between zones now",
                            () -> view(pool) == null ? Double.NaN : view(pool).zones().mode() == mode ? 1 : 0,
                            "pool", pool, "mode", mode.label());
                }
            }
            if (h.pool().tls() != null && registered.add(pool + "\u0000tls")) {
                metrics.counter("gatehouse_upstream_tls_handshake_failures",
                        "TLS handshakes with the pool's endpoints that failed (each also a failed connect)",
                        () -> tlsFailures(pool), "pool", pool);
            }
            for (ZoneRouting.Zone z : h.pool().view().zones().zones()) {
                registerZone(pool, z.name());
            }
            for (Endpoint e : h.pool().endpoints()) {
                String address = e.address();
                if (!registered.add(pool + "\u0000" + address)) {
                    continue;
                }
                for (EndpointState state : EndpointState.values()) {
                    metrics.gauge("gatehouse_endpoint_state", "1 for the state an endpoint is in",
                            () -> stateValue(pool, address, state), "pool", pool, "endpoint", address, "state", state.label());
                }
                metrics.gauge("gatehouse_endpoint_active_requests", "Requests (http) or connections (tcp) in flight",
                        () -> active(pool, address), "pool", pool, "endpoint", address);
            }
        }
    }

    private void registerZone(String pool, String zone) {
        if (!registered.add(pool + "\u0000zone\u0000" + zone)) {
            return;
        }
        metrics.gauge("gatehouse_pool_zone_healthy_endpoints", "Endpoints of the zone taking new traffic",
                () -> zoneValue(pool, zone, ZoneRouting.Zone::healthy), "pool", pool, "zone", zone);
        metrics.gauge("gatehouse_pool_zone_share", "Fraction of the pool's new requests the zone gets now",
                () -> zoneValue(pool, zone, ZoneRouting.Zone::share), "pool", pool, "zone", zone);
        metrics.counter("gatehouse_pool_zone_requests", "Requests answered by the zone's endpoints (HTTP)",
                () -> zoneRequests(pool, zone), "pool", pool, "zone", zone);
    }

    private double zoneValue(String pool, String zone, ToDoubleFunction<ZoneRouting.Zone> value) {
        PoolView v = view(pool);
        ZoneRouting.Zone z = v == null ? null : v.zones().zone(zone);
        return z == null ? Double.NaN : value.applyAsDouble(z);
    }

    /** The sum of the endpoints' own counters; keeps counting every address ever seen in the zone, so it never goes back. */
    private long zoneRequests(String pool, String zone) {
        PoolHealth h = pools.health(pool);
        if (h != null) {
            for (Endpoint e : h.pool().endpoints()) {
                if (zone.equals(ZoneRouting.zoneOf(e))) {
                    zoneMembers.computeIfAbsent(pool + "\u0000" + zone, k -> ConcurrentHashMap.newKeySet()).add(e.address());
                }
            }
        }
        long sum = 0;
        for (String address : zoneMembers.getOrDefault(pool + "\u0000" + zone, Set.of())) {
            sum += metrics.endpoint(pool, address).requests();
        }
        return sum;
    }

    /** Carried across rebuilds of the pool; 0 once the pool has no TLS. */
    private long tlsFailures(String pool) {
        PoolHealth h = pools.health(pool);
        return h == null || h.pool().tls() == null ? 0 : h.pool().tls().handshakeFailures();
    }

    private PoolView view(String pool) {
        PoolHealth h = pools.health(pool);
        return h == null ? null : h.pool().view();
    }

    private double stateValue(String pool, String address, EndpointState state) {
        EndpointStatus s = status(pool, address);
        return s == null ? Double.NaN : s.state() == state ? 1 : 0;
    }

    private double active(String pool, String address) {
        EndpointStatus s = status(pool, address);
        return s == null ? Double.NaN : s.endpoint().activeRequests().get();
    }

    private EndpointStatus status(String pool, String address) {
        PoolView v = view(pool);
        if (v == null) {
            return null;
        }
        for (EndpointStatus s : v.endpoints()) {
            if (s.endpoint().address().equals(address)) {
                return s;
            }
        }
        return null;
    }
}
