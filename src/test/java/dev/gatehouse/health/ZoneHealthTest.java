package dev.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.gatehouse.config.Balance;
import dev.gatehouse.config.EndpointConfig;
import dev.gatehouse.config.HashOn;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.config.PoolConfig;
import dev.gatehouse.config.PoolTimeouts;
import dev.gatehouse.config.ZoneAwareConfig;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.EndpointState;
import dev.gatehouse.pool.ZoneRouting;
import dev.gatehouse.pool.ZoneRouting.Mode;
import dev.gatehouse.time.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A zone-aware pool's health over time, on a stepped clock: it spills when checks or ejections take the node's zone
 * below min_healthy, returns through slow start, drains by hand, and says so once per change of mode.
 */
class ZoneHealthTest {

    private static final Duration RAMP = Duration.ofSeconds(10);

    private final ManualTicker ticker = new ManualTicker();
    private final InlineScheduler scheduler = new InlineScheduler();
    private final List<String> zoneEvents = new ArrayList<>();
    private PoolHealth health;

    @AfterEach
    void stop() {
        if (health != null) {
            health.stop();
        }
        scheduler.shutdownNow();
    }

    /** az1 (the node's): endpoints 0, 1; az2: 2, 3; az3: 4, 5. */
    private PoolHealth create(String nodeZone, ZoneAwareConfig zoneAware) {
        List<EndpointConfig> endpoints = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            endpoints.add(new EndpointConfig(new HostPort("127.0.0.1", 9001 + i), 1, "az" + (1 + i / 2)));
        }
        PoolConfig config = new PoolConfig("web", Balance.ROUND_ROBIN, HashOn.SOURCE_IP, null, endpoints, TestPools.TCP_CHECKS,
                TestPools.OUTLIERS, 0.3, RAMP, Duration.ofSeconds(30), 1,
                new PoolTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(60)), false, null, zoneAware, null);
        health = PoolHealth.create(config, list -> dev.gatehouse.balance.Balancers.create(Balance.ROUND_ROBIN, list), ticker,
                scheduler, new HealthEvents() {
                    @Override
                    public void event(String pool, String endpoint, EndpointState from, EndpointState to, String reason) {}

                    @Override
                    public void zoneRouting(String pool, ZoneRouting from, ZoneRouting to) {
                        zoneEvents.add(from.mode() + "->" + to.mode());
                    }
                }, null, nodeZone);
        return health;
    }

    private Endpoint endpoint(int index) {
        return health.pool().endpoints().get(index);
    }

    private void checks(int index, boolean passed, int times) {
        for (int i = 0; i < times; i++) {
            health.recordCheck(endpoint(index), new CheckResult(passed, passed ? "ok" : "refused"));
        }
    }

    /** Steps the clock and lets the pool see it, as its timers would. */
    private void after(Duration step) {
        ticker.advance(step);
        health.refresh();
    }

    private ZoneRouting zones() {
        return health.pool().view().zones();
    }

    @Test
    void spillsWhenTheZoneFallsAndComesBackThroughSlowStart() {
        create("az1", ZoneAwareConfig.DEFAULT);
        assertThat(zones().mode()).isEqualTo(Mode.LOCAL);

        checks(0, false, 3);
        assertThat(zones().mode()).isEqualTo(Mode.SPILL);
        assertThat(zones().zone("az1").share()).isCloseTo(0.5 / 0.7, within(1e-9));
        checks(1, false, 3);
        assertThat(zones().zone("az1").share()).isZero();
        assertThat(zones().zone("az2").share()).isEqualTo(0.5);
        assertThat(zoneEvents).containsExactly("LOCAL->SPILL");

        checks(0, true, 2);
        checks(1, true, 2);
        assertThat(health.state(endpoint(0))).isEqualTo(EndpointState.SLOW_START);
        // the ramp starts at 10 %: the zone comes back gradually, as its capacity grows
        assertThat(zones().mode()).isEqualTo(Mode.SPILL);
        assertThat(zones().zone("az1").share()).isCloseTo(0.1 / 0.7, within(0.001));
        after(RAMP.dividedBy(2));
        assertThat(zones().zone("az1").share()).isCloseTo(0.55 / 0.7, within(0.001));
        after(RAMP.dividedBy(2));
        assertThat(zones().mode()).isEqualTo(Mode.LOCAL);
        assertThat(zoneEvents).containsExactly("LOCAL->SPILL", "SPILL->LOCAL");
    }

    @Test
    void ejectionsCountAsDownAndTheirEndBringsTheZoneBack() {
        create("az1", ZoneAwareConfig.DEFAULT);
        for (int i = 0; i < TestPools.OUTLIERS.consecutiveFailures(); i++) {
            health.pool().outcomes().failure(endpoint(1));
        }
        assertThat(health.state(endpoint(1))).isEqualTo(EndpointState.EJECTED);
        assertThat(zones().mode()).isEqualTo(Mode.SPILL);
        after(TestPools.OUTLIERS.baseEjection());
        assertThat(health.state(endpoint(1))).isEqualTo(EndpointState.SLOW_START);
        after(RAMP);
        assertThat(zones().mode()).isEqualTo(Mode.LOCAL);
        assertThat(zoneEvents).containsExactly("LOCAL->SPILL", "SPILL->LOCAL");
    }

    @Test
    void drainingTheZoneSpillsEverythingAndPanicOverridesZones() {
        create("az1", ZoneAwareConfig.DEFAULT);
        health.drain(endpoint(0));
        assertThat(zones().mode()).as("one left of one not draining").isEqualTo(Mode.LOCAL);
        health.drain(endpoint(1));
        assertThat(zones().mode()).isEqualTo(Mode.SPILL);
        assertThat(zones().zone("az1").share()).isZero();

        // 1 of 4 not draining serves: below the pool's 30 % panic threshold
        checks(2, false, 3);
        checks(3, false, 3);
        checks(4, false, 3);
        assertThat(zones().mode()).isEqualTo(Mode.PANIC);
        assertThat(zoneEvents).containsExactly("LOCAL->SPILL", "SPILL->PANIC");
    }

    @Test
    void aMinHealthyThatIsNoShareIsRefusedByName() {
        assertThatThrownBy(() -> create("az1", new ZoneAwareConfig(true, 1.5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pool web: zone_aware.min_healthy must be within 0..1, got 1.5");
    }

    @Test
    void aNodeWithoutAZoneOrAPoolWithZoneAwareOffIgnoresZones() {
        create(null, ZoneAwareConfig.DEFAULT);
        checks(0, false, 3);
        assertThat(zones().mode()).isEqualTo(Mode.OFF);
        assertThat(zones().zone("az1").healthy()).isEqualTo(1);
        health.stop();

        create("az1", new ZoneAwareConfig(false, 0.7));
        assertThat(zones().mode()).isEqualTo(Mode.OFF);
        create("az9", ZoneAwareConfig.DEFAULT);
        assertThat(zones().mode()).as("no endpoint in the node's zone").isEqualTo(Mode.OFF);
        assertThat(zoneEvents).isEmpty();
    }
}
