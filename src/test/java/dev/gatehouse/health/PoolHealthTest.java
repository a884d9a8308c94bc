package dev.gatehouse.health;

import static dev.gatehouse.pool.EndpointState.DRAINING;
import static dev.gatehouse.pool.EndpointState.EJECTED;
import static dev.gatehouse.pool.EndpointState.HEALTHY;
import static dev.gatehouse.pool.EndpointState.SLOW_START;
import static dev.gatehouse.pool.EndpointState.UNHEALTHY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.config.EndpointConfig;
import dev.gatehouse.config.HealthConfig;
import dev.gatehouse.config.OutlierConfig;
import dev.gatehouse.config.PoolConfig;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.EndpointState;
import dev.gatehouse.pool.EndpointStatus;
import dev.gatehouse.pool.OutcomeListener;
import dev.gatehouse.pool.PoolView;
import dev.gatehouse.time.ManualTicker;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The state machine of a whole pool, driven by fed check results, reported failures and a manual clock. */
class PoolHealthTest {

    private static final Duration SLOW_START_TIME = Duration.ofSeconds(10);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final ManualTicker ticker = new ManualTicker();
    private final InlineScheduler scheduler = new InlineScheduler();
    private final RecordingBalancers balancers = new RecordingBalancers();
    private final List<String> events = new ArrayList<>();
    private final List<String> panics = new ArrayList<>();
    private final List<PoolHealth> created = new ArrayList<>();

    @AfterEach
    void stop() {
        created.forEach(PoolHealth::stop);
        scheduler.shutdownNow();
    }

    private PoolHealth create(PoolConfig config, PoolHealth previous) {
        PoolHealth health = PoolHealth.create(config, balancers, ticker, scheduler, new HealthEvents() {
            @Override
            public void event(String pool, String endpoint, EndpointState from, EndpointState to, String reason) {
                events.add(endpoint + " " + from + "->" + to + ": " + reason);
            }

            @Override
            public void panic(String pool, boolean inPanic, String why) {
                panics.add((inPanic ? "in panic: " : "out of panic: ") + why);
            }
        }, previous, null);
        created.add(health);
        return health;
    }

    private PoolHealth create(int endpoints, OutlierConfig outlier, double panicThreshold, Duration slowStart) {
        return create(TestPools.pool(TestPools.endpoints(endpoints), TestPools.TCP_CHECKS, outlier, panicThreshold,
                slowStart, DRAIN_TIMEOUT), null);
    }

    private static Endpoint endpoint(PoolHealth health, int index) {
        return health.pool().endpoints().get(index);
    }

    private static void checks(PoolHealth health, Endpoint endpoint, boolean passed, int times) {
        for (int i = 0; i < times; i++) {
            health.recordCheck(endpoint, new CheckResult(passed, passed ? "HTTP 200" : "HTTP 503"));
        }
    }

    private static void fail(PoolHealth health, Endpoint endpoint, int times) {
        for (int i = 0; i < times; i++) {
            health.pool().outcomes().failure(endpoint);
        }
    }

    private List<Endpoint> inBalancer(PoolHealth health) {
        PoolView view = health.pool().view();
        return view.endpoints().stream().filter(s -> s.effectiveWeight() > 0).map(EndpointStatus::endpoint).toList();
    }

    @Test
    void aCheckPassedOnlyOnceAnEndpointPassedOneAndARebuiltPoolKeepsIt() {
        PoolHealth health = create(2, null, 0.5, SLOW_START_TIME);
        checks(health, endpoint(health, 0), false, 1);
        assertThat(health.checkPassed()).isFalse(); // healthy from the start, but nothing proved it yet
        checks(health, endpoint(health, 1), true, 1);
        assertThat(health.checkPassed()).isTrue();
        PoolHealth rebuilt = create(TestPools.pool(TestPools.endpoints(3), TestPools.TCP_CHECKS, null, 0.5,
                SLOW_START_TIME, DRAIN_TIMEOUT), health);
        assertThat(rebuilt.checkPassed()).isTrue();
        assertThat(create(TestPools.pool(TestPools.endpoints(1), null, null, 0.5, SLOW_START_TIME, DRAIN_TIMEOUT), null)
                .checkPassed()).as("a pool without active checks").isTrue();
    }

    @Test
    void endpointsStartHealthyWithFullWeight() {
        PoolHealth health = create(4, null, 0.5, SLOW_START_TIME);
        PoolView view = health.pool().view();
        assertThat(view.endpoints()).extracting(EndpointStatus::state).containsOnly(HEALTHY);
        assertThat(view.endpoints()).extracting(EndpointStatus::effectiveWeight).containsOnly(100);
        assertThat(balancers.lastEndpoints()).isEqualTo(health.pool().endpoints());
        assertThat(view.panic()).isFalse();
        assertThat(events).isEmpty();
    }

    @Test
    void fallFailedChecksTakeItDownAndRisePassesBringItBack() {
        PoolHealth health = create(4, null, 0, Duration.ZERO);
        Endpoint a = endpoint(health, 0);
        checks(health, a, false, 2);
        assertThat(health.state(a)).isEqualTo(HEALTHY);
        checks(health, a, false, 1);
        assertThat(health.state(a)).isEqualTo(UNHEALTHY);
        assertThat(inBalancer(health)).doesNotContain(a);
        checks(health, a, true, 2);
        assertThat(health.state(a)).isEqualTo(HEALTHY);
        assertThat(inBalancer(health)).contains(a);
        assertThat(events).containsExactly(
                "127.0.0.1:9001 HEALTHY->UNHEALTHY: failed 3 checks in a row, last: HTTP 503",
                "127.0.0.1:9001 UNHEALTHY->HEALTHY: passed 2 checks in a row, last: HTTP 200");
    }

    @Test
    void flappingChecksNeverChangeTheState() {
        PoolHealth health = create(2, null, 0, Duration.ZERO);
        Endpoint a = endpoint(health, 0);
        PoolView before = health.pool().view();
        for (int i = 0; i < 20; i++) {
            checks(health, a, i % 2 == 0, 1);
        }
        assertThat(health.state(a)).isEqualTo(HEALTHY);
        assertThat(health.pool().view()).as("nothing changed, nothing republished").isSameAs(before);
        assertThat(events).isEmpty();
    }

    @Test
    void fiveConsecutiveFailuresEjectForTheBaseTime() {
        PoolHealth health = create(4, TestPools.OUTLIERS, 0, Duration.ZERO);
        Endpoint a = endpoint(health, 0);
        fail(health, a, 4);
        assertThat(health.state(a)).isEqualTo(HEALTHY);
        fail(health, a, 1);
        assertThat(health.state(a)).isEqualTo(EJECTED);
        assertThat(inBalancer(health)).doesNotContain(a).hasSize(3);
        assertThat(events).containsExactly("127.0.0.1:9001 HEALTHY->EJECTED: 5 consecutive failures, ejected for PT10S (ejection 1)");

        ticker.advance(Duration.ofSeconds(10).minusNanos(1));
        health.refresh();
        assertThat(health.state(a)).isEqualTo(EJECTED);
        ticker.advance(Duration.ofNanos(1));
        health.refresh();
        assertThat(health.state(a)).isEqualTo(HEALTHY);
        assertThat(inBalancer(health)).contains(a);
        assertThat(events).last().isEqualTo("127.0.0.1:9001 EJECTED->HEALTHY: ejection ended");
    }

    @Test
    void aSuccessInBetweenPreventsTheEjection() {
        PoolHealth health = create(4, TestPools.OUTLIERS, 0, Duration.ZERO);
        Endpoint a = endpoint(health, 0);
        fail(health, a, 4);
        health.pool().outcomes().success(a);
        fail(health, a, 4);
        assertThat(health.state(a)).isEqualTo(HEALTHY);
    }

    @Test
    void theSecondEjectionLastsTwiceAsLong() {
        PoolHealth health = create(4, TestPools.OUTLIERS, 0, Duration.ZERO);
        Endpoint a = endpoint(health, 0);
        fail(health, a, 5);
        ticker.advance(Duration.ofSeconds(10));
        health.refresh();
        assertThat(health.state(a)).isEqualTo(HEALTHY);

        fail(health, a, 5);
        assertThat(health.state(a)).isEqualTo(EJECTED);
        ticker.advance(Duration.ofSeconds(19));
        health.refresh();
        assertThat(health.state(a)).isEqualTo(EJECTED);
        ticker.advance(Duration.ofSeconds(1));
        health.refresh();
        assertThat(health.state(a)).isEqualTo(HEALTHY);
        assertThat(events).contains("127.0.0.1:9001 HEALTHY->EJECTED: 5 consecutive failures, ejected for PT20S (ejection 2)");
    }

    @Test
    void failuresOfRequestsInFlightDuringAnEjectionDoNotCarryOver() {
        PoolHealth health = create(4, TestPools.OUTLIERS, 0, Duration.ZERO);
        Endpoint a = endpoint(health, 0);
        fail(health, a, 5);
        fail(health, a, 3);
        ticker.advance(Duration.ofSeconds(10));
        health.refresh();
        fail(health, a, 2);
        assertThat(health.state(a)).isEqualTo(HEALTHY);
    }

    @Test
    void atMostHalfOfFourIsEjected() {
        PoolHealth health = create(4, TestPools.OUTLIERS, 0, Duration.ZERO);
        for (int i = 0; i < 4; i++) {
            fail(health, endpoint(health, i), 5);
        }
        assertThat(health.pool().view().endpoints()).extracting(EndpointStatus::state)
                .containsExactly(EJECTED, EJECTED, HEALTHY, HEALTHY);
        assertThat(events).contains("127.0.0.1:9003 HEALTHY->HEALTHY: 5 consecutive failures, not ejected: max_ejected allows 2 and 2 are out");

        // The refused one may be ejected once another comes back, after five new failures.
        ticker.advance(Duration.ofSeconds(10));
        health.refresh();
        fail(health, endpoint(health, 2), 5);
        assertThat(health.state(endpoint(health, 2))).isEqualTo(EJECTED);
    }

    @Test
    void aPassingCheckDoesNotEndAnEjectionEarly() {
        PoolHealth health = create(4, TestPools.OUTLIERS, 0, Duration.ZERO);
        Endpoint a = endpoint(health, 0);
        fail(health, a, 5);
        ticker.advance(Duration.ofSeconds(5));
        checks(health, a, true, 10);
        assertThat(health.state(a)).isEqualTo(EJECTED);
        ticker.advance(Duration.ofSeconds(5));
        health.refresh();
        assertThat(health.state(a)).isEqualTo(HEALTHY);
    }

    @Test
    void anEjectedEndpointThatFailsItsChecksStaysOutAfterTheEjection() {
        PoolHealth health = create(4, TestPools.OUTLIERS, 0, Duration.ZERO);
        Endpoint a = endpoint(health, 0);
        fail(health, a, 5);
        checks(health, a, false, 3);
        assertThat(health.state(a)).isEqualTo(EJECTED);
        ticker.advance(Duration.ofSeconds(10));
        health.refresh();
        assertThat(health.state(a)).isEqualTo(UNHEALTHY);
    }

    @Test
    void theEndOfAnEjectionStartsASlowStart() {
        PoolHealth health = create(4, TestPools.OUTLIERS, 0, SLOW_START_TIME);
        Endpoint a = endpoint(health, 0);
        fail(health, a, 5);
        ticker.advance(Duration.ofSeconds(10));
        health.refresh();
        assertThat(health.state(a)).isEqualTo(SLOW_START);
        assertThat(health.pool().view().endpoints().getFirst().effectiveWeight()).isEqualTo(10);
    }

    @Test
    void oneOfFourServingAtFiftyPercentPanicsOverAllButTheDrainingOne() {
        PoolHealth health = create(4, null, 0.5, Duration.ZERO);
        checks(health, endpoint(health, 0), false, 3);
        checks(health, endpoint(health, 1), false, 3);
        health.drain(endpoint(health, 2));
        PoolView view = health.pool().view();
        assertThat(view.panic()).isTrue();
        assertThat(view.endpoints()).extracting(EndpointStatus::state).containsExactly(UNHEALTHY, UNHEALTHY, DRAINING, HEALTHY);
        assertThat(balancers.lastEndpoints()).containsExactly(endpoint(health, 0), endpoint(health, 1), endpoint(health, 3));
        assertThat(balancers.last()).allSatisfy(w -> assertThat(w.weight()).isEqualTo(100));
    }

    @Test
    void goingIntoPanicAndOutOfItAreEventsOnce() {
        PoolHealth health = create(2, null, 0.6, Duration.ZERO);
        checks(health, endpoint(health, 0), false, 3);
        assertThat(panics).containsExactly("in panic: 1 of 2 endpoints serving (panic below 60%)");
        checks(health, endpoint(health, 0), true, 3);
        assertThat(panics).containsExactly("in panic: 1 of 2 endpoints serving (panic below 60%)",
                "out of panic: 2 of 2 endpoints serving (panic below 60%)");
    }

    @Test
    void threeOfFourServingIsNoPanic() {
        PoolHealth health = create(4, null, 0.5, Duration.ZERO);
        checks(health, endpoint(health, 1), false, 3);
        PoolView view = health.pool().view();
        assertThat(view.panic()).isFalse();
        assertThat(balancers.lastEndpoints()).containsExactly(endpoint(health, 0), endpoint(health, 2), endpoint(health, 3));
    }

    @Test
    void noneServingWithoutAPanicThresholdPicksNothing() {
        PoolHealth health = create(2, null, 0, Duration.ZERO);
        checks(health, endpoint(health, 0), false, 3);
        checks(health, endpoint(health, 1), false, 3);
        assertThat(health.pool().view().panic()).isFalse();
        assertThat(health.pool().view().balancer().pick(7)).isNull();
    }

    @Test
    void slowStartRampsTheWeightThenTurnsHealthy() {
        PoolHealth health = create(4, null, 0, SLOW_START_TIME);
        Endpoint a = endpoint(health, 0);
        checks(health, a, false, 3);
        checks(health, a, true, 2);
        assertThat(health.state(a)).isEqualTo(SLOW_START);
        assertThat(weightOf(health, a)).as("0% of the ramp").isEqualTo(10);

        ticker.advance(Duration.ofSeconds(5));
        health.refresh();
        assertThat(weightOf(health, a)).as("50% of the ramp").isEqualTo(55);
        assertThat(balancers.last().getFirst().weight()).isEqualTo(55);

        ticker.advance(Duration.ofSeconds(5));
        health.refresh();
        assertThat(health.state(a)).isEqualTo(HEALTHY);
        assertThat(weightOf(health, a)).as("100% of the ramp").isEqualTo(100);
        assertThat(events).last().isEqualTo("127.0.0.1:9001 SLOW_START->HEALTHY: slow start complete");
    }

    @Test
    void aRampIsRepublishedByTheSchedulerWithoutBeingAsked() {
        PoolHealth health = create(1, null, 0, Duration.ofMillis(200));
        Endpoint a = endpoint(health, 0);
        checks(health, a, false, 3);
        checks(health, a, true, 2);
        PoolView rampStart = health.pool().view();
        ticker.advance(Duration.ofMillis(100));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> health.pool().view() != rampStart);
        assertThat(weightOf(health, a)).isEqualTo(55);
    }

    private static int weightOf(PoolHealth health, Endpoint endpoint) {
        return health.pool().view().endpoints().get(endpoint.index()).effectiveWeight();
    }

    @Test
    void aDrainingEndpointLeavesTheBalancerAndStaysDrainingWhateverItsChecksSay() {
        PoolHealth health = create(4, null, 0, SLOW_START_TIME);
        Endpoint a = endpoint(health, 0);
        health.drain(a);
        assertThat(health.state(a)).isEqualTo(DRAINING);
        assertThat(balancers.lastEndpoints()).doesNotContain(a).hasSize(3);
        checks(health, a, false, 3);
        assertThat(health.state(a)).isEqualTo(DRAINING);
        checks(health, a, true, 2);
        assertThat(health.state(a)).isEqualTo(DRAINING);
        checks(health, a, false, 3);

        health.enable(a);
        assertThat(health.state(a)).as("its checks failed while draining").isEqualTo(UNHEALTHY);
        checks(health, a, true, 2);
        assertThat(health.state(a)).isEqualTo(SLOW_START);
        assertThat(events).containsExactly(
                "127.0.0.1:9001 HEALTHY->DRAINING: drain requested",
                "127.0.0.1:9001 DRAINING->UNHEALTHY: enabled",
                "127.0.0.1:9001 UNHEALTHY->SLOW_START: passed 2 checks in a row, last: HTTP 200");
    }

    @Test
    void enablingAHealthyEndpointGoesThroughSlowStart() {
        PoolHealth health = create(2, null, 0, SLOW_START_TIME);
        Endpoint a = endpoint(health, 0);
        health.drain(a);
        health.enable(a);
        assertThat(health.state(a)).isEqualTo(SLOW_START);
        assertThat(inBalancer(health)).contains(a);
    }

    @Test
    void enablingWithoutSlowStartGoesStraightToHealthy() {
        PoolHealth health = create(2, null, 0, Duration.ZERO);
        Endpoint a = endpoint(health, 0);
        health.drain(a);
        health.enable(a);
        assertThat(health.state(a)).isEqualTo(HEALTHY);
    }

    @Test
    void theDrainTimeoutClosesConnectionsStillOpen() {
        PoolHealth health = create(2, null, 0, Duration.ZERO);
        Endpoint a = endpoint(health, 0);
        EmbeddedChannel upstream = new EmbeddedChannel();
        a.connections().add(upstream);
        a.activeRequests().incrementAndGet();
        health.drain(a);
        ticker.advance(DRAIN_TIMEOUT.minusMillis(1));
        health.refresh();
        assertThat(upstream.isOpen()).isTrue();
        ticker.advance(Duration.ofMillis(1));
        health.refresh();
        assertThat(upstream.isOpen()).isFalse();
        assertThat(health.state(a)).isEqualTo(DRAINING);
        assertThat(events).last().isEqualTo(
                "127.0.0.1:9001 DRAINING->DRAINING: drain timeout: closing 1 connections with 1 requests in flight");
    }

    @Test
    void anEnabledEndpointIsNotClosedByTheOldDrainTimeout() {
        PoolHealth health = create(2, null, 0, Duration.ZERO);
        Endpoint a = endpoint(health, 0);
        EmbeddedChannel upstream = new EmbeddedChannel();
        a.connections().add(upstream);
        health.drain(a);
        health.enable(a);
        ticker.advance(DRAIN_TIMEOUT);
        health.refresh();
        assertThat(upstream.isOpen()).isTrue();
        upstream.close();
    }

    @Test
    void aReloadCarriesStateByAddress() {
        List<EndpointConfig> before = TestPools.endpoints(3);
        PoolHealth old = create(TestPools.pool(before, TestPools.TCP_CHECKS, TestPools.OUTLIERS, 0, SLOW_START_TIME, DRAIN_TIMEOUT), null);
        checks(old, endpoint(old, 0), false, 3);
        fail(old, endpoint(old, 1), 5);
        old.drain(endpoint(old, 2));
        checks(old, endpoint(old, 2), false, 2);

        // 9001 removed, 9002..9003 kept in a new order, 9004 new.
        List<EndpointConfig> after = List.of(before.get(2), before.get(1), TestPools.endpoints(4).get(3));
        PoolHealth next = create(TestPools.pool(after, TestPools.TCP_CHECKS, TestPools.OUTLIERS, 0, SLOW_START_TIME, DRAIN_TIMEOUT), old);
        old.stop();
        assertThat(next.pool().view().endpoints()).extracting(EndpointStatus::state).containsExactly(DRAINING, EJECTED, HEALTHY);

        Endpoint drained = endpoint(next, 0);
        checks(next, drained, false, 1);
        next.enable(drained);
        assertThat(next.state(drained)).as("2 failures before the reload and 1 after make fall").isEqualTo(UNHEALTHY);

        Endpoint ejected = endpoint(next, 1);
        ticker.advance(Duration.ofSeconds(10));
        next.refresh();
        assertThat(next.state(ejected)).isEqualTo(SLOW_START);
        ticker.advance(SLOW_START_TIME);
        next.refresh();
        fail(next, ejected, 5);
        assertThat(events).last().asString().contains("ejected for PT20S (ejection 2)");
    }

    @Test
    void theOutcomeListenerIsWiredUntilStop() {
        PoolHealth health = create(2, TestPools.OUTLIERS, 0, Duration.ZERO);
        assertThat(health.pool().outcomes()).isSameAs(health.outliers());
        health.stop();
        assertThat(health.pool().outcomes()).isSameAs(OutcomeListener.IGNORE);
    }

    @Test
    void withoutOutlierConfigOutcomesAreIgnored() {
        PoolHealth health = create(2, null, 0, Duration.ZERO);
        assertThat(health.pool().outcomes()).isSameAs(OutcomeListener.IGNORE);
    }

    @Test
    void endpointsOfAnotherPoolAreRejected() {
        PoolHealth health = create(2, null, 0, Duration.ZERO);
        Endpoint stranger = TestPools.endpoint(0, 1);
        assertThatThrownBy(() -> health.drain(stranger)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("web/127.0.0.1:9001");
    }

    @Test
    void rejectsConfigsThatCannotWork() {
        assertThatThrownBy(() -> create(TestPools.pool(TestPools.endpoints(2), null, null, 1.5, Duration.ZERO, null), null))
                .hasMessageContaining("panic_threshold").hasMessageContaining("1.5");
        assertThatThrownBy(() -> create(TestPools.pool(TestPools.endpoints(2), null,
                new OutlierConfig(0, Duration.ofSeconds(1), 0.5), 0, Duration.ZERO, null), null))
                .hasMessageContaining("consecutive_failures").hasMessageContaining("0");
        assertThatThrownBy(() -> create(TestPools.pool(TestPools.endpoints(2), new HealthConfig(HealthConfig.Type.TCP,
                null, 0, 0, null, Duration.ZERO, Duration.ofSeconds(1), 1, 1), null, 0, Duration.ZERO, null), null))
                .hasMessageContaining("health.interval").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> create(TestPools.pool(List.of(new EndpointConfig(
                TestPools.endpoints(1).getFirst().address(), 0, null)), null, null, 0, Duration.ZERO, null), null))
                .hasMessageContaining("weight").hasMessageContaining("got 0");
    }
}
