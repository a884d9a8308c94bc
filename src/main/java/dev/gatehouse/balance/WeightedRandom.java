package dev.gatehouse.balance;

import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.WeightedEndpoint;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** RANDOM: a uniformly random point on the weight line, so each endpoint's share is its weight share. */
final class WeightedRandom implements Balancer {

    private final CumulativeWeights line;

    WeightedRandom(List<WeightedEndpoint> endpoints) {
        line = new CumulativeWeights(endpoints);
    }

    @Override
    public Endpoint pick(long hash) {
        return line.endpoint(line.indexAt(ThreadLocalRandom.current().nextLong(line.total())));
    }
}
