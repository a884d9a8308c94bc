package dev.gatehouse.health;

import dev.gatehouse.balance.Balancer;
import dev.gatehouse.balance.Weighted;
import dev.gatehouse.pool.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A balancer factory for tests: remembers every list it was given and round-robins over it (weights ignored). */
final class RecordingBalancers implements Function<List<Weighted<Endpoint>>, Balancer<Endpoint>> {

    final List<List<Weighted<Endpoint>>> built = new ArrayList<>();

    @Override
    public synchronized Balancer<Endpoint> apply(List<Weighted<Endpoint>> endpoints) {
        built.add(endpoints);
        AtomicInteger next = new AtomicInteger();
        return hash -> endpoints.get(Math.floorMod(next.getAndIncrement(), endpoints.size())).target();
    }

    synchronized List<Weighted<Endpoint>> last() {
        return built.getLast();
    }

    synchronized List<Endpoint> lastEndpoints() {
        return last().stream().map(Weighted::target).toList();
    }
}
