package dev.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.config.EndpointConfig;
import dev.gatehouse.config.HealthConfig;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.EndpointState;
import dev.gatehouse.time.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real checks on real time against a real HTTP backend on 127.0.0.1: how fast is a failure seen? */
class PoolHealthEndToEndTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration TIMEOUT = Duration.ofMillis(200);
    private static final int RISE = 2;
    private static final int FALL = 3;
    /** Scheduling slack on a loaded two-core machine. */
    private static final long SLACK_MILLIS = 500;

    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final List<String> events = new CopyOnWriteArrayList<>();
    private StubHttpBackend backend;
    private PoolHealth health;

    @BeforeEach
    void startBackendAndChecks() throws Exception {
        backend = new StubHttpBackend(200);
        HealthConfig checks = new HealthConfig(HealthConfig.Type.HTTP, "/healthz", 200, 399, null, INTERVAL, TIMEOUT, RISE, FALL);
        List<EndpointConfig> endpoints = List.of(new EndpointConfig(new HostPort("127.0.0.1", backend.port()), 1, null));
        health = PoolHealth.create(TestPools.pool(endpoints, checks, null, 0, Duration.ZERO, null),
                new RecordingBalancers(), Ticker.system(), scheduler,
                (pool, endpoint, from, to, reason) -> events.add(from + "->" + to + ": " + reason), null, null);
        health.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        health.stop();
        scheduler.shutdownNow();
        backend.close();
    }

    @Test
    void aBackendAnswering503IsMarkedDownWithinFallIntervalsAndComesBackAfterRise() {
        Endpoint endpoint = health.pool().endpoints().getFirst();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> health.state(endpoint) == EndpointState.HEALTHY);

        long downMillis = timeUntil(() -> backend.status(503), endpoint, EndpointState.UNHEALTHY,
                FALL * INTERVAL.toMillis() + TIMEOUT.toMillis() + SLACK_MILLIS);
        System.out.printf("503 detected after %d ms (fall %d x interval %d ms + timeout %d ms = %d ms bound)%n",
                downMillis, FALL, INTERVAL.toMillis(), TIMEOUT.toMillis(), FALL * INTERVAL.toMillis() + TIMEOUT.toMillis());
        assertThat(downMillis).as("needs fall checks an interval apart").isGreaterThanOrEqualTo((FALL - 1) * INTERVAL.toMillis());
        assertThat(health.pool().view().balancer().pick(1)).isNull();

        long upMillis = timeUntil(() -> backend.status(200), endpoint, EndpointState.HEALTHY,
                RISE * INTERVAL.toMillis() + TIMEOUT.toMillis() + SLACK_MILLIS);
        System.out.printf("recovery seen after %d ms (rise %d x interval %d ms)%n", upMillis, RISE, INTERVAL.toMillis());
        assertThat(upMillis).isGreaterThanOrEqualTo((RISE - 1) * INTERVAL.toMillis());
        assertThat(health.pool().view().balancer().pick(1)).isSameAs(endpoint);
        assertThat(events).hasSize(2);
        assertThat(events.getFirst()).startsWith("HEALTHY->UNHEALTHY: failed 3 checks in a row, last: HTTP 503");
    }

    @Test
    void aBackendThatStopsAnsweringIsMarkedDownWithinFallIntervalsPlusATimeout() {
        Endpoint endpoint = health.pool().endpoints().getFirst();
        long downMillis = timeUntil(() -> backend.status(0), endpoint, EndpointState.UNHEALTHY,
                FALL * INTERVAL.toMillis() + TIMEOUT.toMillis() + SLACK_MILLIS);
        System.out.printf("silent backend detected after %d ms (bound %d ms)%n",
                downMillis, FALL * INTERVAL.toMillis() + TIMEOUT.toMillis());
        assertThat(events.getFirst()).endsWith("last: response: timed out after 200 ms");
    }

    /** Runs {@code change}, then waits (at most {@code boundMillis}) for the state; returns the time it took. */
    private long timeUntil(Runnable change, Endpoint endpoint, EndpointState state, long boundMillis) {
        long began = System.nanoTime();
        change.run();
        await().atMost(Duration.ofMillis(boundMillis)).pollInterval(Duration.ofMillis(5))
                .until(() -> health.state(endpoint) == state);
        return (System.nanoTime() - began) / 1_000_000;
    }
}
