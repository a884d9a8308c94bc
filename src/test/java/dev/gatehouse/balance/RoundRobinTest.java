package dev.gatehouse.balance;

import static dev.gatehouse.balance.TestEndpoints.indexOf;
import static dev.gatehouse.balance.TestEndpoints.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.Balance;
import dev.gatehouse.pool.Endpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RoundRobinTest {

    @Test
    void interleavesLightEndpointsBetweenHeavyPicks() {
        List<Weighted<Endpoint>> endpoints = weighted(5, 1, 1);
        Balancer<Endpoint> balancer = new SmoothRoundRobin(endpoints(endpoints), new int[] {5, 1, 1}, 0);
        StringBuilder sequence = new StringBuilder();
        for (int i = 0; i < 14; i++) {
            sequence.append((char) ('a' + indexOf(endpoints, balancer.pick(0))));
        }
        assertThat(sequence).hasToString("aabacaa" + "aabacaa");
    }

    @Test
    void everyPrefixOfTheCycleStaysWithinOnePickOfItsShare() {
        int[] weights = {10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        List<Weighted<Endpoint>> endpoints = weighted(weights);
        Balancer<Endpoint> balancer = new SmoothRoundRobin(endpoints(endpoints), weights, 0);
        int[] sequence = picks(balancer, endpoints, 20);
        assertThat(maxLag(sequence, weights)).isLessThan(1.0);
        assertThat(maxCyclicRun(sequence, 0)).as("longest run of the heaviest").isLessThanOrEqualTo(2);
    }

    @ParameterizedTest
    @CsvSource({"'3,2,1', 6", "'500,100,100', 7", "'7,5,3,2,1', 18", "'1000,999,1', 2000"})
    void anyFullCycleIsExactlyProportional(String spec, int cycle) {
        int[] weights = parse(spec);
        int total = Arrays.stream(weights).sum();
        List<Weighted<Endpoint>> endpoints = weighted(weights);
        Balancer<Endpoint> balancer = Balancers.create(Balance.ROUND_ROBIN, endpoints);
        assertThat(balancer).isInstanceOf(SmoothRoundRobin.class);
        for (int round = 0; round < 3; round++) { // gcd-reduced: 500,100,100 repeats every 7 picks
            int[] counts = counts(picks(balancer, endpoints, cycle), weights.length);
            for (int i = 0; i < weights.length; i++) {
                assertThat(counts[i]).as("endpoint %d in round %d", i, round).isEqualTo(weights[i] * cycle / total);
            }
        }
    }

    @Test
    void longCyclesUseTheEarliestDeadlineScheduler() {
        int[] weights = {100_003, 70_001, 30_011}; // coprime, cycle 200,015 > table bound
        List<Weighted<Endpoint>> endpoints = weighted(weights);
        Balancer<Endpoint> balancer = Balancers.create(Balance.ROUND_ROBIN, endpoints);
        assertThat(balancer).isInstanceOf(EdfRoundRobin.class);
        for (int round = 0; round < 2; round++) { // the second cycle runs after the counters rewind
            int[] sequence = picks(balancer, endpoints, 200_015);
            assertThat(counts(sequence, 3)).containsExactly(weights);
            assertThat(maxLag(sequence, weights)).isLessThan(1.5);
        }
    }

    @Test
    void earliestDeadlineSchedulerInterleaves() {
        int[] weights = {5, 1, 1};
        List<Weighted<Endpoint>> endpoints = weighted(weights);
        int[] sequence = picks(new EdfRoundRobin(endpoints(endpoints), weights), endpoints, 7);
        assertThat(counts(sequence, 3)).containsExactly(weights);
        assertThat(maxLag(sequence, weights)).isLessThan(1.5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5,3,2", "200001,119999,80000"}) // table; EDF (cycle 400,000)
    void concurrentPicksStayExactlyProportional(String spec) throws InterruptedException {
        int[] weights = parse(spec);
        List<Weighted<Endpoint>> endpoints = weighted(weights);
        Balancer<Endpoint> balancer = Balancers.create(Balance.ROUND_ROBIN, endpoints);
        AtomicLongArray counts = new AtomicLongArray(weights.length);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                long[] local = new long[weights.length];
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < 100_000; i++) {
                    local[indexOf(endpoints, balancer.pick(0))]++;
                }
                for (int i = 0; i < local.length; i++) {
                    counts.addAndGet(i, local[i]);
                }
            }));
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        long total = 0;
        for (int w : weights) {
            total += w;
        }
        for (int i = 0; i < weights.length; i++) {
            assertThat(counts.get(i)).as("endpoint %d", i).isEqualTo(400_000 / total * weights[i]);
        }
    }

    private static Endpoint[] endpoints(List<Weighted<Endpoint>> weighted) {
        return weighted.stream().map(Weighted::target).toArray(Endpoint[]::new);
    }

    private static int[] parse(String spec) {
        return Arrays.stream(spec.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static int[] picks(Balancer<Endpoint> balancer, List<Weighted<Endpoint>> endpoints, int count) {
        int[] sequence = new int[count];
        for (int i = 0; i < count; i++) {
            sequence[i] = indexOf(endpoints, balancer.pick(0));
        }
        return sequence;
    }

    private static int[] counts(int[] sequence, int n) {
        int[] counts = new int[n];
        for (int i : sequence) {
            counts[i]++;
        }
        return counts;
    }

    /** Largest |picks of i among the first t - t * w_i / total| over all prefixes t and endpoints i. */
    private static double maxLag(int[] sequence, int[] weights) {
        double total = Arrays.stream(weights).sum();
        int[] counts = new int[weights.length];
        double worst = 0;
        for (int t = 1; t <= sequence.length; t++) {
            counts[sequence[t - 1]]++;
            for (int i = 0; i < weights.length; i++) {
                worst = Math.max(worst, Math.abs(counts[i] - (double) t * weights[i] / total));
            }
        }
        return worst;
    }

    private static int maxCyclicRun(int[] sequence, int endpoint) {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < 2 * sequence.length; i++) {
            run = sequence[i % sequence.length] == endpoint ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return longest;
    }
}
