package dev.gatehouse.balance;

import dev.gatehouse.config.Balance;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Builds the {@link Balancer} of a policy over a fixed set of weighted endpoints. */
public final class Balancers {

    /** Longest smooth round-robin cycle kept as a table; longer cycles use the EDF scheduler. */
    static final int MAX_CYCLE = 1 << 16;
    /** Bound on the work of computing the cycle (length x endpoints), since pools are rebuilt often. */
    static final long MAX_CYCLE_WORK = 1L << 22;

    private Balancers() {}

    /**
     * @param endpoints at most 65536 (ring hash packs an endpoint index into 16 bits), each with
     *     weight >= 1 and a distinct address; an empty list gives a balancer that always returns null
     * @throws IllegalArgumentException naming the offending argument
     */
    public static <T extends Target> Balancer<T> create(Balance policy, List<Weighted<T>> endpoints) {
        if (policy == null) {
            throw new IllegalArgumentException("policy must not be null");
        }
        List<Weighted<T>> checked = validate(endpoints);
        if (checked.isEmpty()) {
            return hash -> null;
        }
        if (checked.size() == 1) {
            T only = checked.getFirst().target();
            return hash -> only;
        }
        return switch (policy) {
            case ROUND_ROBIN -> roundRobin(checked);
            case LEAST_REQUEST -> new LeastRequest<>(checked);
            case RANDOM -> new WeightedRandom<>(checked);
            case SOURCE_HASH -> new SourceHash<>(checked);
            case MAGLEV -> new Maglev<>(checked);
            case RING_HASH -> new RingHash<>(checked);
        };
    }

    private static <T extends Target> List<Weighted<T>> validate(List<Weighted<T>> endpoints) {
        if (endpoints == null) {
            throw new IllegalArgumentException("endpoints must not be null");
        }
        if (endpoints.size() > RingHash.MAX_ENDPOINTS) {
            throw new IllegalArgumentException(
                    "endpoints: " + endpoints.size() + " exceeds the maximum of " + RingHash.MAX_ENDPOINTS);
        }
        Set<String> addresses = new HashSet<>();
        for (int i = 0; i < endpoints.size(); i++) {
            Weighted<T> e = endpoints.get(i);
            if (e == null || e.target() == null) {
                throw new IllegalArgumentException("endpoints[" + i + "] must not be null");
            }
            if (e.weight() < 1) {
                throw new IllegalArgumentException(
                        "endpoints[" + i + "] (" + e.target() + ") weight must be >= 1, was " + e.weight());
            }
            if (!addresses.add(e.target().address())) {
                throw new IllegalArgumentException(
                        "endpoints[" + i + "] duplicates address " + e.target().address());
            }
        }
        return List.copyOf(endpoints);
    }

    /** Stores the smooth cycle of gcd-reduced weights when it is short enough, else schedules by EDF. */
    private static <T extends Target> Balancer<T> roundRobin(List<Weighted<T>> endpoints) {
        int n = endpoints.size();
        T[] targets = newArray(n);
        int[] weights = new int[n];
        int gcd = 0;
        for (int i = 0; i < n; i++) {
            targets[i] = endpoints.get(i).target();
            weights[i] = endpoints.get(i).weight();
            gcd = gcd(gcd, weights[i]);
        }
        long cycle = 0;
        for (int i = 0; i < n; i++) {
            weights[i] /= gcd;
            cycle += weights[i];
        }
        if (cycle <= MAX_CYCLE && cycle * n <= MAX_CYCLE_WORK) {
            return new SmoothRoundRobin<>(targets, weights, ThreadLocalRandom.current().nextInt((int) cycle));
        }
        return new EdfRoundRobin<>(targets, weights);
    }

    /** An array of targets; its runtime type is Target[], which is what T[] erases to, so the cast is safe. */
    @SuppressWarnings("unchecked")
    static <T extends Target> T[] newArray(int n) {
        return (T[]) new Target[n];
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
