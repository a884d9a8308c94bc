package dev.gatehouse.balance;

import java.util.Arrays;

/**
 * ROUND_ROBIN when the smooth cycle would be too long to store (large coprime effective weights,
 * e.g. during slow start of a big pool): earliest deadline first. Endpoint i's k-th pick of a
 * cycle is due at (k + 1/2) / w_i; a binary heap hands out the earliest due, O(log n) per pick
 * and O(n) memory whatever the weights. The half offset interleaves light endpoints between the
 * picks of heavy ones instead of bunching them at the cycle end. Picks are serialised by a lock,
 * held only for a heap step.
 */
final class EdfRoundRobin<T extends Target> implements Balancer<T> {

    private final T[] endpoints;
    private final long[] weights;
    private final long total;
    private final long[] picked; // picks of each endpoint in the current cycle
    private final int[] heap; // endpoint indexes, earliest deadline at the root
    private long pickedInCycle;

    EdfRoundRobin(T[] endpoints, int[] weights) {
        int n = endpoints.length;
        this.endpoints = endpoints;
        this.weights = new long[n];
        long sum = 0;
        for (int i = 0; i < n; i++) {
            this.weights[i] = weights[i];
            sum += weights[i];
        }
        this.total = sum;
        this.picked = new long[n];
        this.heap = new int[n];
        for (int i = 0; i < n; i++) {
            heap[i] = i;
        }
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    @Override
    public synchronized T pick(long hash) {
        int chosen = heap[0];
        picked[chosen]++;
        siftDown(0);
        if (++pickedInCycle == total) {
            // Every endpoint i now has exactly w_i picks and all deadlines lie one cycle later,
            // so the heap order still holds after rewinding the counters; this also keeps the
            // deadline products below from overflowing.
            Arrays.fill(picked, 0);
            pickedInCycle = 0;
        }
        return endpoints[chosen];
    }

    /** Deadline of a before b: (2k_a + 1) / 2w_a < (2k_b + 1) / 2w_b, ties to the lower index. */
    private boolean earlier(int a, int b) {
        long lhs = (2 * picked[a] + 1) * weights[b];
        long rhs = (2 * picked[b] + 1) * weights[a];
        return lhs < rhs || lhs == rhs && a < b;
    }

    private void siftDown(int at) {
        int n = heap.length;
        int item = heap[at];
        while (true) {
            int child = 2 * at + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && earlier(heap[child + 1], heap[child])) {
                child++;
            }
            if (!earlier(heap[child], item)) {
                break;
            }
            heap[at] = heap[child];
            at = child;
        }
        heap[at] = item;
    }
}
