package dev.gatehouse.balance;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * MAGLEV (Eisenbud et al., NSDI 2016): a lookup table of prime size M, filled by letting endpoints
 * take turns claiming the next free slot of their own permutation of the table. Each permutation
 * comes from two hashes of the endpoint's {@link Target#key()} (an offset and a step coprime to
 * M), and the endpoints take turns in key order, so the same set of addresses and weights builds
 * the same table on every node whatever order the endpoints arrive in. Removing one endpoint
 * hands its slots to others and disturbs only a few other slots; a pick is one array read.
 *
 * <p>Weights: per round each endpoint earns its weight in credit and claims one slot for every
 * w_max of credit, so the heaviest claims one slot a round and table shares follow the weights.
 *
 * <p>Size: the collateral moves between surviving endpoints shrink as slots per endpoint grow.
 * Removing 1 of 100 equal endpoints moves 1.66% of keys with 65537 slots (0.61% between
 * survivors), 1.21% with 262147 and 1.08% with 655373, at one reference per slot.
 */
final class Maglev<T extends Target> implements Balancer<T> {

    static final int DEFAULT_TABLE_SIZE = 65537;
    /** Large pools get a larger table, so each endpoint's share stays fine-grained (the paper's M >= 100 N). */
    static final int MIN_SLOTS_PER_ENDPOINT = 100;
    private static final long OFFSET_SEED = 0x6A09E667F3BCC909L;
    private static final long STEP_SEED = 0xBB67AE8584CAA73BL;

    private final T[] table;

    Maglev(List<Weighted<T>> endpoints) {
        List<Weighted<T>> ordered = new ArrayList<>(endpoints);
        ordered.sort(Comparator.comparing((Weighted<T> e) -> e.target().key(), Long::compareUnsigned)
                .thenComparing(e -> e.target().address()));
        table = fill(ordered, tableSize(ordered.size()));
    }

    @Override
    public T pick(long hash) {
        return table[(int) Math.unsignedMultiplyHigh(HashKeys.mix(hash), table.length)];
    }

    int tableSize() {
        return table.length;
    }

    static int tableSize(int endpoints) {
        int wanted = Math.max(DEFAULT_TABLE_SIZE, endpoints * MIN_SLOTS_PER_ENDPOINT);
        int size = wanted | 1;
        while (!isPrime(size)) {
            size += 2;
        }
        return size;
    }

    private static boolean isPrime(int odd) {
        for (int d = 3; (long) d * d <= odd; d += 2) {
            if (odd % d == 0) {
                return false;
            }
        }
        return true;
    }

    private static <T extends Target> T[] fill(List<Weighted<T>> ordered, int size) {
        int n = ordered.size();
        int[] position = new int[n];
        int[] step = new int[n];
        long[] weight = new long[n];
        long maxWeight = 0;
        for (int i = 0; i < n; i++) {
            long key = ordered.get(i).target().key();
            position[i] = (int) Long.remainderUnsigned(HashKeys.mix(key ^ OFFSET_SEED), size);
            step[i] = (int) Long.remainderUnsigned(HashKeys.mix(key ^ STEP_SEED), size - 1) + 1;
            weight[i] = ordered.get(i).weight();
            maxWeight = Math.max(maxWeight, weight[i]);
        }
        T[] table = Balancers.newArray(size);
        long[] credit = new long[n];
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                credit[i] += weight[i];
                for (; credit[i] >= maxWeight; credit[i] -= maxWeight) {
                    while (table[position[i]] != null) {
                        position[i] = next(position[i], step[i], size);
                    }
                    table[position[i]] = ordered.get(i).target();
                    position[i] = next(position[i], step[i], size);
                    if (++filled == size) {
                        return table;
                    }
                }
            }
        }
    }

    private static int next(int position, int step, int size) {
        int sum = position + step; // size is at most a few million: no overflow
        return sum >= size ? sum - size : sum;
    }
}
