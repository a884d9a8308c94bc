package dev.gatehouse.balance;

import java.util.concurrent.atomic.AtomicLong;

/**
 * ROUND_ROBIN over a precomputed cycle: the smooth weighted round robin sequence (each step every
 * endpoint gains its weight of credit, the richest is picked and pays the total), so weights 5,1,1
 * interleave as a a b a c a a and every prefix stays within one pick of its weight share. The
 * cycle is computed once; a pick is one atomic increment and an array read, lock-free across
 * event loops. Used while the cycle (the sum of gcd-reduced weights) is short enough to store.
 */
final class SmoothRoundRobin<T extends Target> implements Balancer<T> {

    private final T[] cycle;
    private final AtomicLong cursor;

    /**
     * @param weights gcd-reduced, so the cycle is as short as the proportions allow
     * @param start the cycle position of the first pick; random in production so that frequent
     *     rebuilds (slow start) and separate nodes do not all begin on the same endpoint
     */
    SmoothRoundRobin(T[] endpoints, int[] weights, int start) {
        int n = endpoints.length;
        long total = 0;
        for (int w : weights) {
            total += w;
        }
        cycle = Balancers.newArray(Math.toIntExact(total));
        long[] credit = new long[n];
        for (int step = 0; step < cycle.length; step++) {
            int richest = 0;
            for (int i = 0; i < n; i++) {
                credit[i] += weights[i];
                if (credit[i] > credit[richest]) {
                    richest = i;
                }
            }
            credit[richest] -= total;
            cycle[step] = endpoints[richest];
        }
        cursor = new AtomicLong(Math.floorMod(start, cycle.length));
    }

    @Override
    public T pick(long hash) {
        return cycle[(int) (cursor.getAndIncrement() % cycle.length)];
    }
}
