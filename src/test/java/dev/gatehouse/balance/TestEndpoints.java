package dev.gatehouse.balance;

import dev.gatehouse.config.EndpointConfig;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.WeightedEndpoint;
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
    static List<WeightedEndpoint> weighted(int... weights) {
        List<WeightedEndpoint> list = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            list.add(new WeightedEndpoint(endpoint(i + 1, weights[i]), weights[i]));
        }
        return list;
    }

    static List<WeightedEndpoint> equal(int n) {
        int[] weights = new int[n];
        Arrays.fill(weights, 1);
        return weighted(weights);
    }

    /** Position of {@code e} in {@code list}, by identity. */
    static int indexOf(List<WeightedEndpoint> list, Endpoint e) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).endpoint() == e) {
                return i;
            }
        }
        throw new AssertionError("not in list: " + e);
    }
}
