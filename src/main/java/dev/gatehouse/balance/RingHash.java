package dev.gatehouse.balance;

import java.util.Arrays;
import java.util.List;

/**
 * RING_HASH: a consistent hash ring in the manner of Ketama. Each endpoint places virtual nodes
 * on a 64-bit circle at points drawn from a splitmix sequence seeded by its {@link Target#key()};
 * a key belongs to the first virtual node at or after its mixed hash. Removing an endpoint only
 * frees its own arcs, so keys on the other endpoints never move.
 *
 * <p>Virtual nodes are proportional to weight and scaled to the heaviest endpoint, which gets
 * {@link #NODES_FOR_HEAVIEST}: adding, removing or slowly starting a lighter endpoint leaves every
 * other endpoint's nodes in place (the k-th point of an endpoint never depends on its count).
 * The heaviest sets the scale because a few thousand nodes keep its share within about a percent
 * of its weight; the ring is capped at {@link #MAX_RING} nodes, scaling all down if needed.
 *
 * <p>The ring is one sorted long[]: a node's high 48 bits are its point, the low 16 bits the
 * index of its endpoint, so a pick is one binary search with no second array.
 */
final class RingHash<T extends Target> implements Balancer<T> {

    static final int NODES_FOR_HEAVIEST = 4096;
    static final int MAX_RING = 1 << 19;
    static final int MAX_ENDPOINTS = 1 << 16;
    private static final long INDEX_MASK = MAX_ENDPOINTS - 1;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final T[] endpoints;
    private final long[] ring;

    RingHash(List<Weighted<T>> weighted) {
        int n = weighted.size();
        endpoints = Balancers.newArray(n);
        double maxWeight = weighted.stream().mapToInt(Weighted::weight).max().orElseThrow();
        double totalWeight = weighted.stream().mapToLong(Weighted::weight).sum();
        double perWeight = Math.min(NODES_FOR_HEAVIEST / maxWeight, MAX_RING / totalWeight);
        int[] nodes = new int[n];
        int size = 0;
        for (int i = 0; i < n; i++) {
            endpoints[i] = weighted.get(i).target();
            nodes[i] = (int) Math.max(1, Math.round(weighted.get(i).weight() * perWeight));
            size += nodes[i];
        }
        ring = new long[size];
        int at = 0;
        for (int i = 0; i < n; i++) {
            long key = endpoints[i].key();
            for (int k = 1; k <= nodes[i]; k++) {
                ring[at++] = HashKeys.mix(key + k * GOLDEN) & ~INDEX_MASK | i;
            }
        }
        Arrays.sort(ring); // signed order: the circle cut at a different place, equally good
    }

    @Override
    public T pick(long hash) {
        int found = Arrays.binarySearch(ring, HashKeys.mix(hash));
        int next = found >= 0 ? found : -found - 1;
        return endpoints[(int) (ring[next == ring.length ? 0 : next] & INDEX_MASK)];
    }

    int size() {
        return ring.length;
    }
}
