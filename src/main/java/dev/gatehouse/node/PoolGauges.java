package dev.gatehouse.node;

import dev.gatehouse.health.PoolHealth;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.EndpointState;
import dev.gatehouse.pool.EndpointStatus;
import dev.gatehouse.pool.PoolView;
import java.util.HashSet;
import java.util.Set;

/**
 * Gauges of pool and endpoint state. Each reads the pool by name at scrape time, so it follows the pool
 * across reloads; one registered for an endpoint a reload removed reads NaN.
 */
final class PoolGauges {

    private final Metrics metrics;
    private final PoolSet pools;
    private final Set<String> registered = new HashSet<>();

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
