package dev.gatehouse.balance;

import static dev.gatehouse.balance.TestEndpoints.indexOf;
import static dev.gatehouse.balance.TestEndpoints.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.gatehouse.config.Balance;
import dev.gatehouse.pool.Endpoint;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeastRequestTest {

    private static final int PICKS = 60_000;

    @Test
    void ofTwoAlwaysPicksTheIdleOne() {
        List<Weighted<Endpoint>> endpoints = weighted(1, 1);
        endpoints.get(0).target().activeRequests().set(5);
        double[] shares = shares(endpoints);
        assertThat(shares[1]).isEqualTo(1.0);
    }

    @Test
    void idleEndpointWinsWheneverItIsACandidate() {
        List<Weighted<Endpoint>> endpoints = weighted(1, 1, 1);
        endpoints.get(0).target().activeRequests().set(10);
        endpoints.get(1).target().activeRequests().set(10);
        double[] shares = shares(endpoints);
        // two distinct candidates out of three: the idle one is among them 2/3 of the time
        assertThat(shares[2]).isCloseTo(2 / 3.0, within(0.02));
        assertThat(shares[0]).isCloseTo(1 / 6.0, within(0.02));
    }

    @Test
    void comparesActiveRequestsPerUnitOfWeight() {
        List<Weighted<Endpoint>> endpoints = weighted(3, 1);
        endpoints.get(0).target().activeRequests().set(3); // 1 per unit of weight
        endpoints.get(1).target().activeRequests().set(2); // 2 per unit: busier although fewer
        assertThat(shares(endpoints)[0]).isEqualTo(1.0);
    }

    @Test
    void equalLoadPerWeightSplitsByWeight() {
        List<Weighted<Endpoint>> endpoints = weighted(2, 1);
        endpoints.get(0).target().activeRequests().set(4);
        endpoints.get(1).target().activeRequests().set(2);
        assertThat(shares(endpoints)[0]).isCloseTo(2 / 3.0, within(0.02));
    }

    @Test
    void followsActiveRequestsAsTheyChange() {
        List<Weighted<Endpoint>> endpoints = weighted(1, 1, 1, 1);
        Balancer<Endpoint> balancer = Balancers.create(Balance.LEAST_REQUEST, endpoints);
        // every pick takes a request and never releases it: load must stay level
        for (int i = 0; i < 4_000; i++) {
            balancer.pick(0).activeRequests().incrementAndGet();
        }
        for (Weighted<Endpoint> e : endpoints) {
            assertThat(e.target().activeRequests().get()).isBetween(980, 1020);
        }
    }

    private static double[] shares(List<Weighted<Endpoint>> endpoints) {
        Balancer<Endpoint> balancer = Balancers.create(Balance.LEAST_REQUEST, endpoints);
        int[] counts = new int[endpoints.size()];
        for (int i = 0; i < PICKS; i++) {
            counts[indexOf(endpoints, balancer.pick(0))]++;
        }
        return Arrays.stream(counts).mapToDouble(c -> c / (double) PICKS).toArray();
    }
}
