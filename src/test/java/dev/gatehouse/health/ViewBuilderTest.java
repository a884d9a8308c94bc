package dev.gatehouse.health;

import static dev.gatehouse.pool.EndpointState.DRAINING;
import static dev.gatehouse.pool.EndpointState.EJECTED;
import static dev.gatehouse.pool.EndpointState.HEALTHY;
import static dev.gatehouse.pool.EndpointState.SLOW_START;
import static dev.gatehouse.pool.EndpointState.UNHEALTHY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.balance.Weighted;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.EndpointState;
import dev.gatehouse.pool.EndpointStatus;
import dev.gatehouse.pool.PoolView;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ViewBuilderTest {

    private final RecordingBalancers balancers = new RecordingBalancers();
    private final List<Endpoint> endpoints = IntStream.range(0, 4).mapToObj(i -> TestPools.endpoint(i, i + 1)).toList();

    private List<EndpointStatus> standing(EndpointState... states) {
        List<EndpointStatus> list = new ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            list.add(new EndpointStatus(endpoints.get(i), states[i], ViewBuilder.fullWeight(endpoints.get(i))));
        }
        return list;
    }

    @Test
    void allHealthyGiveEveryEndpointItsFullWeight() {
        PoolView view = ViewBuilder.compute(standing(HEALTHY, HEALTHY, HEALTHY, HEALTHY), 0.5, ZonePreference.NONE, balancers);
        assertThat(view.panic()).isFalse();
        assertThat(balancers.last()).containsExactly(
                new Weighted<>(endpoints.get(0), 100), new Weighted<>(endpoints.get(1), 200),
                new Weighted<>(endpoints.get(2), 300), new Weighted<>(endpoints.get(3), 400));
        assertThat(view.healthyCount()).isEqualTo(4);
    }

    @Test
    void threeOfFourHealthyAtFiftyPercentLeaveOnlyTheThree() {
        PoolView view = ViewBuilder.compute(standing(HEALTHY, UNHEALTHY, HEALTHY, HEALTHY), 0.5, ZonePreference.NONE, balancers);
        assertThat(view.panic()).isFalse();
        assertThat(balancers.lastEndpoints()).containsExactly(endpoints.get(0), endpoints.get(2), endpoints.get(3));
        assertThat(view.endpoints().get(1).effectiveWeight()).isZero();
        assertThat(view.endpoints().get(1).state()).isEqualTo(UNHEALTHY);
    }

    @Test
    void oneOfFourHealthyAtFiftyPercentPanicsOverAllNotDraining() {
        PoolView view = ViewBuilder.compute(standing(UNHEALTHY, EJECTED, HEALTHY, DRAINING), 0.5, ZonePreference.NONE, balancers);
        assertThat(view.panic()).isTrue();
        assertThat(balancers.last()).containsExactly(
                new Weighted<>(endpoints.get(0), 100), new Weighted<>(endpoints.get(1), 200),
                new Weighted<>(endpoints.get(2), 300));
        assertThat(view.endpoints()).extracting(EndpointStatus::state).containsExactly(UNHEALTHY, EJECTED, HEALTHY, DRAINING);
        assertThat(view.endpoints().get(3).effectiveWeight()).isZero();
    }

    @Test
    void exactlyAtTheThresholdIsNotPanic() {
        PoolView view = ViewBuilder.compute(standing(HEALTHY, HEALTHY, UNHEALTHY, UNHEALTHY), 0.5, ZonePreference.NONE, balancers);
        assertThat(view.panic()).isFalse();
        assertThat(balancers.lastEndpoints()).containsExactly(endpoints.get(0), endpoints.get(1));
    }

    @Test
    void drainingEndpointsDoNotCountTowardsPanic() {
        PoolView view = ViewBuilder.compute(standing(HEALTHY, DRAINING, DRAINING, DRAINING), 0.5, ZonePreference.NONE, balancers);
        assertThat(view.panic()).isFalse();
        assertThat(balancers.lastEndpoints()).containsExactly(endpoints.get(0));
    }

    @Test
    void slowStartServesAtItsRampedWeightAndCountsAsServing() {
        List<EndpointStatus> standing = standing(SLOW_START, UNHEALTHY, HEALTHY, HEALTHY);
        standing.set(0, new EndpointStatus(endpoints.get(0), SLOW_START, 10));
        PoolView view = ViewBuilder.compute(standing, 0.5, ZonePreference.NONE, balancers);
        assertThat(view.panic()).isFalse();
        assertThat(balancers.last()).first().isEqualTo(new Weighted<>(endpoints.get(0), 10));
        assertThat(view.endpoints().getFirst().effectiveWeight()).isEqualTo(10);
    }

    @Test
    void inPanicARampingEndpointKeepsItsRamp() {
        List<EndpointStatus> standing = standing(SLOW_START, UNHEALTHY, UNHEALTHY, UNHEALTHY);
        standing.set(0, new EndpointStatus(endpoints.get(0), SLOW_START, 10));
        PoolView view = ViewBuilder.compute(standing, 0.5, ZonePreference.NONE, balancers);
        assertThat(view.panic()).isTrue();
        assertThat(balancers.last()).extracting(Weighted::weight).containsExactly(10, 200, 300, 400);
    }

    @Test
    void nothingServingWithoutAThresholdGivesAnEmptyBalancer() {
        PoolView view = ViewBuilder.compute(standing(UNHEALTHY, EJECTED, DRAINING, UNHEALTHY), 0, ZonePreference.NONE, balancers);
        assertThat(view.panic()).isFalse();
        assertThat(view.balancer().pick(42)).isNull();
        assertThat(balancers.built).as("the factory never sees an empty list").isEmpty();
    }

    @Test
    void allDrainingGivesAnEmptyBalancerEvenWithAThreshold() {
        PoolView view = ViewBuilder.compute(standing(DRAINING, DRAINING), 0.5, ZonePreference.NONE, balancers);
        assertThat(view.panic()).isFalse();
        assertThat(view.balancer().pick(1)).isNull();
    }

    @Test
    void anEmptyPoolGivesAnEmptyBalancer() {
        PoolView view = ViewBuilder.compute(List.of(), 0.5, ZonePreference.NONE, balancers);
        assertThat(view.endpoints()).isEmpty();
        assertThat(view.balancer().pick(1)).isNull();
    }
}
