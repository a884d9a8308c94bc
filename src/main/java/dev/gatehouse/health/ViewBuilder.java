package dev.gatehouse.health;

import dev.gatehouse.balance.Balancer;
import dev.gatehouse.balance.Weighted;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.EndpointState;
import dev.gatehouse.pool.EndpointStatus;
import dev.gatehouse.pool.PoolView;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Builds the {@link PoolView} the data plane reads from each endpoint's state: a pure function. */
final class ViewBuilder {

    /** Effective weights are configured weight times this, so a slow-start ramp has steps to climb. */
    static final int WEIGHT_SCALE = 100;

    /** What a pool with nothing to serve picks: nothing (the proxy answers 503). */
    static final Balancer<Endpoint> EMPTY = hash -> null;

    private ViewBuilder() {}

    static int fullWeight(Endpoint endpoint) {
        return endpoint.weight() * WEIGHT_SCALE;
    }

    /**
     * @param standing every endpoint in config order with its state and, when it serves, its weight
     *     now (ramped during slow start); the weight of an endpoint that does not serve is ignored
     * @param panicThreshold 0..1; when the serving share of the endpoints not draining falls below it,
     *     the balancer spans every endpoint not draining. Draining endpoints are left out of that share
     *     because an operator took them out on purpose: draining half a pool must not cause a panic.
     * @param zones the zone the pool prefers, if any; a pool in panic ignores it (see {@link ZoneChoice})
     * @param balancers builds a balancer over a non-empty weighted list; never called with an empty one
     */
    static PoolView compute(
            List<EndpointStatus> standing,
            double panicThreshold,
            ZonePreference zones,
            Function<List<Weighted<Endpoint>>, Balancer<Endpoint>> balancers) {
        int candidates = 0;
        int serving = 0;
        for (EndpointStatus status : standing) {
            if (status.state() != EndpointState.DRAINING) {
                candidates++;
            }
            if (status.state().serving()) {
                serving++;
            }
        }
        boolean panic = panicThreshold > 0 && candidates > 0 && serving < panicThreshold * candidates;
        List<EndpointStatus> statuses = new ArrayList<>(standing.size());
        for (EndpointStatus status : standing) {
            statuses.add(new EndpointStatus(status.endpoint(), status.state(), weightInView(status, panic)));
        }
        ZoneChoice.Plan plan = ZoneChoice.plan(statuses, panic, zones);
        List<Weighted<Endpoint>> weighted = new ArrayList<>(statuses.size());
        for (EndpointStatus status : statuses) {
            double factor = plan.factor(ZoneChoice.zoneOf(status));
            int weight = status.effectiveWeight();
            if (weight > 0 && factor > 0) {
                // factor 1 keeps the weight exact (and its gcd), so a pool without zones balances as it always did
                weighted.add(new Weighted<>(status.endpoint(),
                        factor == 1 ? weight : (int) Math.max(1, Math.round(weight * factor))));
            }
        }
        Balancer<Endpoint> balancer = weighted.isEmpty() ? EMPTY : balancers.apply(List.copyOf(weighted));
        return new PoolView(statuses, balancer, panic, plan.routing());
    }

    /**
     * Serving endpoints keep their weight, in panic too: a ramp protects a cold backend whatever the
     * others do. In panic the rest (except draining ones) come in at their configured weight.
     */
    private static int weightInView(EndpointStatus status, boolean panic) {
        if (status.state().serving()) {
            return Math.max(0, status.effectiveWeight());
        }
        return panic && status.state() != EndpointState.DRAINING ? Math.max(0, fullWeight(status.endpoint())) : 0;
    }
}
