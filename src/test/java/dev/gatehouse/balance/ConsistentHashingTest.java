package dev.gatehouse.balance;

import static dev.gatehouse.balance.TestEndpoints.equal;
import static dev.gatehouse.balance.TestEndpoints.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.Balance;
import dev.gatehouse.pool.Endpoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** MAGLEV and RING_HASH: how many keys move when the endpoint set changes, and determinism. */
class ConsistentHashingTest {

    private static final int KEYS = 100_000;

    static Stream<Arguments> policiesAndSizes() {
        return Stream.of(Balance.MAGLEV, Balance.RING_HASH)
                .flatMap(policy -> Stream.of(3, 10, 100).map(n -> Arguments.of(policy, n)));
    }

    @ParameterizedTest
    @MethodSource("policiesAndSizes")
    void removingOneOfNMovesAboutOneNthOfKeys(Balance policy, int n) {
        List<Weighted<Endpoint>> all = equal(n);
        List<Weighted<Endpoint>> fewer = new ArrayList<>(all);
        Endpoint removed = fewer.remove(n / 2).target();
        Remap remap = remap(Balancers.create(policy, all), Balancers.create(policy, fewer), removed);

        System.out.printf("%s remove 1 of %d: %.4f of keys moved (ideal %.4f), %.5f moved between survivors%n",
                policy, n, remap.moved(), 1.0 / n, remap.movedBetweenOthers());
        assertThat(remap.moved()).isBetween(0.7 / n - 0.005, 1.3 / n + 0.005);
        assertSurvivorsStay(policy, remap);
    }

    @ParameterizedTest
    @MethodSource("policiesAndSizes")
    void addingAnEndpointToNTakesAboutItsShare(Balance policy, int n) {
        List<Weighted<Endpoint>> more = equal(n + 1);
        List<Weighted<Endpoint>> before = more.subList(0, n);
        Endpoint added = more.get(n).target();
        Remap remap = remap(Balancers.create(policy, before), Balancers.create(policy, more), added);

        System.out.printf("%s add 1 to %d: %.4f of keys moved (ideal %.4f), %.5f moved between others%n",
                policy, n, remap.moved(), 1.0 / (n + 1), remap.movedBetweenOthers());
        assertThat(remap.moved()).isBetween(0.7 / (n + 1) - 0.005, 1.3 / (n + 1) + 0.005);
        assertSurvivorsStay(policy, remap);
    }

    @ParameterizedTest
    @EnumSource(value = Balance.class, names = {"MAGLEV", "RING_HASH"})
    void sameAddressesAndWeightsGiveTheSameMappingOnEveryNode(Balance policy) {
        int[] weights = {3, 1, 4, 1, 5, 9, 2, 6};
        Balancer<Endpoint> here = Balancers.create(policy, weighted(weights));
        Balancer<Endpoint> there = Balancers.create(policy, weighted(weights)); // separately built Endpoint objects
        List<Weighted<Endpoint>> reversed = new ArrayList<>(weighted(weights));
        Collections.reverse(reversed);
        Balancer<Endpoint> reordered = Balancers.create(policy, reversed);
        for (long key = 0; key < KEYS; key++) {
            String address = here.pick(key).address();
            assertThat(there.pick(key).address()).isEqualTo(address);
            assertThat(reordered.pick(key).address()).isEqualTo(address);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Balance.class, names = {"MAGLEV", "RING_HASH"})
    void sequentialKeysSpreadEvenly(Balance policy) {
        List<Weighted<Endpoint>> endpoints = equal(10);
        Balancer<Endpoint> balancer = Balancers.create(policy, endpoints);
        int[] counts = new int[10];
        for (long key = 0; key < KEYS; key++) {
            counts[TestEndpoints.indexOf(endpoints, balancer.pick(key))]++;
        }
        for (int count : counts) {
            assertThat(count).isBetween(KEYS / 10 - 1_000, KEYS / 10 + 1_000);
        }
    }

    @Test
    void ringMovesOnlyTheKeysOfAnEndpointWhoseWeightRamps() {
        // slow start: the newcomer climbs 1% -> 50% -> 100% of the others' effective weight
        int[] ramp = {100, 5_000, 10_000};
        Balancer<Endpoint> previous = null;
        for (int w : ramp) {
            List<Weighted<Endpoint>> endpoints = weighted(10_000, 10_000, 10_000, w);
            Balancer<Endpoint> current = Balancers.create(Balance.RING_HASH, endpoints);
            if (previous != null) {
                Remap remap = remap(previous, current, endpoints.get(3).target());
                assertThat(remap.moved()).isPositive();
                assertThat(remap.movedBetweenOthers()).isZero();
            }
            previous = current;
        }
    }

    /**
     * Ring: a key moves only to or from the changed endpoint. Maglev: mostly so; the collateral
     * moves grow with endpoints per table slot (about 0.6% of keys at 100 endpoints in 65537 slots).
     */
    private static void assertSurvivorsStay(Balance policy, Remap remap) {
        if (policy == Balance.RING_HASH) {
            assertThat(remap.movedBetweenOthers()).isZero();
        } else {
            assertThat(remap.movedBetweenOthers()).isLessThan(0.5 * remap.moved());
        }
    }

    /**
     * @param moved fraction of keys whose endpoint differs
     * @param movedBetweenOthers fraction that moved from one unchanged endpoint to another
     */
    private record Remap(double moved, double movedBetweenOthers) {}

    private static Remap remap(Balancer<Endpoint> before, Balancer<Endpoint> after, Endpoint changed) {
        int moved = 0;
        int between = 0;
        for (long key = 0; key < KEYS; key++) {
            String was = before.pick(key).address();
            String is = after.pick(key).address();
            if (!was.equals(is)) {
                moved++;
                if (!was.equals(changed.address()) && !is.equals(changed.address())) {
                    between++;
                }
            }
        }
        return new Remap(moved / (double) KEYS, between / (double) KEYS);
    }
}
