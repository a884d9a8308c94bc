package dev.gatehouse.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** RANDOM: a uniformly random point on the weight line, so each endpoint's share is its weight share. */
final class WeightedRandom<T extends Target> implements Balancer<T> {

    private final CumulativeWeights<T> line;

    WeightedRandom(List<Weighted<T>> endpoints) {
        line = new CumulativeWeights<>(endpoints);
    }

    @Override
    public T pick(long hash) {
        return line.endpoint(line.indexAt(ThreadLocalRandom.current().nextLong(line.total())));
    }
}
