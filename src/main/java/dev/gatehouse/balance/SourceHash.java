package dev.gatehouse.balance;

import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.WeightedEndpoint;
import java.util.List;

/**
 * SOURCE_HASH: the mixed key scaled onto the weight line. Cheap and exactly weighted, but NOT
 * consistent: adding, removing or reweighting one endpoint shifts every stretch after it and
 * moves most keys. Pools that need keys to stay put across changes use MAGLEV or RING_HASH.
 */
final class SourceHash implements Balancer {

    private final CumulativeWeights line;

    SourceHash(List<WeightedEndpoint> endpoints) {
        line = new CumulativeWeights(endpoints);
    }

    @Override
    public Endpoint pick(long hash) {
        return line.endpoint(line.indexAt(line.scale(HashKeys.mix(hash))));
    }
}
