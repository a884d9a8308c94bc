package dev.gatehouse.balance;

import dev.gatehouse.config.EndpointConfig;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.pool.Endpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Endpoints 10.0.0.i:80 with no sockets behind them. */
final class TestEndpoints {

    private TestEndpoints() {}

    static Endpoint endpoint(int i, int weight) {
        return new Endpoint("p", i, new EndpointConfig(new HostPort("10.0.0." + i, 80), weight, null));
    }

    /** Endpoints 10.0.0.1 .. 10.0.0.n with the given weights. */
    static List<Weighted<Endpoint>> weighted(int... weights) {
        List<Weighted<Endpoint>> list = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            list.add(new Weighted<>(endpoint(i + 1, weights[i]), weights[i]));
        }
        return list;
    }

    static List<Weighted<Endpoint>> equal(int n) {
        int[] weights = new int[n];
        Arrays.fill(weights, 1);
        return weighted(weights);
    }

    /** Position of {@code e} in {@code list}, by identity. */
    static int indexOf(List<Weighted<Endpoint>> list, Endpoint e) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).target() == e) {
                return i;
            }
        }
        throw new AssertionError("not in list: " + e);
    }
}
