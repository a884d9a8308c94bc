package dev.gatehouse.balance;

import static dev.gatehouse.balance.TestEndpoints.indexOf;
import static dev.gatehouse.balance.TestEndpoints.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.sun.management.ThreadMXBean;
import dev.gatehouse.config.Balance;
import dev.gatehouse.pool.Endpoint;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BalancersTest {

    @ParameterizedTest
    @EnumSource(Balance.class)
    void sharesFollowWeights(Balance policy) {
        List<Weighted<Endpoint>> endpoints = weighted(3, 2, 1);
        Balancer<Endpoint> balancer = Balancers.create(policy, endpoints);
        Random keys = new Random(7);
        int picks = 60_000;
        int[] counts = new int[3];
        for (int i = 0; i < picks; i++) {
            counts[indexOf(endpoints, balancer.pick(keys.nextLong()))]++;
        }
        assertThat(counts[0] / (double) picks).as("share of weight 3 of %s", Arrays.toString(counts))
                .isCloseTo(3 / 6.0, within(0.02));
        assertThat(counts[1] / (double) picks).as("share of weight 2").isCloseTo(2 / 6.0, within(0.02));
        assertThat(counts[2] / (double) picks).as("share of weight 1").isCloseTo(1 / 6.0, within(0.02));
    }

    @ParameterizedTest
    @EnumSource(value = Balance.class, names = {"SOURCE_HASH", "MAGLEV", "RING_HASH"})
    void sameKeySameEndpoint(Balance policy) {
        Balancer<Endpoint> first = Balancers.create(policy, weighted(4, 1, 2, 3, 5));
        Balancer<Endpoint> rebuilt = Balancers.create(policy, weighted(4, 1, 2, 3, 5));
        Random keys = new Random(11);
        for (int i = 0; i < 10_000; i++) {
            long key = keys.nextLong();
            assertThat(first.pick(key)).isSameAs(first.pick(key));
            assertThat(rebuilt.pick(key).address()).isEqualTo(first.pick(key).address());
        }
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void emptyPicksNull(Balance policy) {
        Balancer<Endpoint> balancer = Balancers.create(policy, List.of());
        assertThat(balancer.pick(0)).isNull();
        assertThat(balancer.pick(42)).isNull();
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void singleEndpointAlwaysPicked(Balance policy) {
        List<Weighted<Endpoint>> one = weighted(7);
        Balancer<Endpoint> balancer = Balancers.create(policy, one);
        one.getFirst().target().activeRequests().set(1000);
        for (long key = 0; key < 1000; key++) {
            assertThat(balancer.pick(key)).isSameAs(one.getFirst().target());
        }
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void picksDoNotAllocate(Balance policy) {
        Balancer<Endpoint> balancer = Balancers.create(policy, weighted(3, 2, 1, 5));
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (long key = 0; key < 200_000; key++) { // warm up past JIT compilation
            sink += balancer.pick(key).index();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (long key = 0; key < 100_000; key++) {
            sink += balancer.pick(key).index();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sink).isPositive();
        // one object per pick would be >= 1.6 MB
        assertThat(allocated).as("bytes allocated by 100k picks").isLessThan(16_000);
    }

    @Test
    void rejectsInvalidArguments() {
        assertThatThrownBy(() -> Balancers.create(null, weighted(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("policy");
        assertThatThrownBy(() -> Balancers.create(Balance.RANDOM, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endpoints");
        List<Weighted<Endpoint>> withNull = new ArrayList<>(weighted(1, 1));
        withNull.add(null);
        assertThatThrownBy(() -> Balancers.create(Balance.RANDOM, withNull))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endpoints[2]");
        List<Weighted<Endpoint>> zero = weighted(1, 0);
        assertThatThrownBy(() -> Balancers.create(Balance.RANDOM, zero))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("endpoints[1]").hasMessageContaining("10.0.0.2:80").hasMessageContaining("was 0");
        List<Weighted<Endpoint>> duplicate = new ArrayList<>(weighted(1, 1));
        duplicate.add(new Weighted<>(TestEndpoints.endpoint(2, 1), 1));
        assertThatThrownBy(() -> Balancers.create(Balance.MAGLEV, duplicate))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicates address 10.0.0.2:80");
    }
}
