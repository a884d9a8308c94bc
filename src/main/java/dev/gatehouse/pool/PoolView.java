package dev.gatehouse.pool;

import dev.gatehouse.balance.Balancer;
import java.util.List;

/**
 * An immutable picture of a pool that the data plane reads: every endpoint with its state, and the
 * balancer built over the endpoints that take traffic now. The health machinery publishes a new one
 * whenever a state or an effective weight changes; readers never see a half-made change.
 *
 * @param panic fewer than the panic threshold are healthy, so the balancer spans every endpoint
 * @param zones how the balancer splits traffic between zones (computed with it, so both always agree)
 */
public record PoolView(List<EndpointStatus> endpoints, Balancer<Endpoint> balancer, boolean panic, ZoneRouting zones) {

    public PoolView {
        endpoints = List.copyOf(endpoints);
    }

    public long healthyCount() {
        return endpoints.stream().filter(s -> s.state().serving()).count();
    }
}
