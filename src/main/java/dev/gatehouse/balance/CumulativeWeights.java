package dev.gatehouse.balance;

import java.util.Arrays;
import java.util.List;

/**
 * Endpoints laid end to end on the line {@code [0, total)}, each over a stretch as long as its
 * weight. A point on the line names an endpoint in O(log n) with no allocation, which serves
 * weighted random choice (a random point) and weighted hashing (a hashed point) alike.
 */
final class CumulativeWeights<T extends Target> {

    private final T[] endpoints;
    private final int[] weights;
    private final long[] ends; // ends[i] = w0 + ... + wi, strictly increasing since weights >= 1

    CumulativeWeights(List<Weighted<T>> weighted) {
        int n = weighted.size();
        endpoints = Balancers.newArray(n);
        weights = new int[n];
        ends = new long[n];
        long sum = 0;
        for (int i = 0; i < n; i++) {
            endpoints[i] = weighted.get(i).target();
            weights[i] = weighted.get(i).weight();
            sum += weights[i];
            ends[i] = sum;
        }
    }

    int size() {
        return endpoints.length;
    }

    long total() {
        return ends[ends.length - 1];
    }

    T endpoint(int index) {
        return endpoints[index];
    }

    int weight(int index) {
        return weights[index];
    }

    /** The index whose stretch holds {@code point}, for {@code 0 <= point < total()}. */
    int indexAt(long point) {
        int found = Arrays.binarySearch(ends, point);
        // A point equal to an end is the first point of the next stretch.
        return found >= 0 ? found + 1 : -found - 1;
    }

    /** Maps a well-mixed 64-bit value uniformly onto {@code [0, total())} without a division. */
    long scale(long mixed) {
        return Math.unsignedMultiplyHigh(mixed, total());
    }
}
