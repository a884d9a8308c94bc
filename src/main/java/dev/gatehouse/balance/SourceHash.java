package dev.gatehouse.balance;

import java.util.List;

/**
 * SOURCE_HASH: the mixed key scaled onto the weight line. Cheap and exactly weighted, but NOT
 * consistent: adding, removing or reweighting one endpoint shifts every stretch after it and
 * moves most keys. Pools that need keys to stay put across changes use MAGLEV or RING_HASH.
 */
final class SourceHash<T extends Target> implements Balancer<T> {

    private final CumulativeWeights<T> line;

    SourceHash(List<Weighted<T>> endpoints) {
        line = new CumulativeWeights<>(endpoints);
    }

    @Override
    public T pick(long hash) {
        return line.endpoint(line.indexAt(line.scale(HashKeys.mix(hash))));
    }
}
