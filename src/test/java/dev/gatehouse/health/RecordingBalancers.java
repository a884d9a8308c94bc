package dev.gatehouse.health;

import dev.gatehouse.balance.Balancer;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.WeightedEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A balancer factory for tests: remembers every list it was given and round-robins over it (weights ignored). */
final class RecordingBalancers implements Function<List<WeightedEndpoint>, Balancer> {

    final List<List<WeightedEndpoint>> built = new ArrayList<>();

    @Override
    public synchronized Balancer apply(List<WeightedEndpoint> endpoints) {
        built.add(endpoints);
        AtomicInteger next = new AtomicInteger();
        return hash -> endpoints.get(Math.floorMod(next.getAndIncrement(), endpoints.size())).endpoint();
    }

    synchronized List<WeightedEndpoint> last() {
        return built.getLast();
    }

    synchronized List<Endpoint> lastEndpoints() {
        return last().stream().map(WeightedEndpoint::endpoint).toList();
    }
}
