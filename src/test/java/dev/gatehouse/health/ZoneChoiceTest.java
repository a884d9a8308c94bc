package dev.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.gatehouse.balance.Balancers;
import dev.gatehouse.config.Balance;
import dev.gatehouse.config.EndpointConfig;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.EndpointState;
import dev.gatehouse.pool.EndpointStatus;
import dev.gatehouse.pool.PoolView;
import dev.gatehouse.pool.ZoneRouting;
import dev.gatehouse.pool.ZoneRouting.Mode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The zone split of a pool's view over many health states, measured on real balancers: 10,000 picks per case.
 *
 * <p>A pool is written one zone per word, {@code zone:STATES} with an optional {@code xWEIGHT}: H healthy,
 * U unhealthy, E ejected, D draining, S slow start at a tenth of its weight. {@code az1:HHUU az2:HHHHx3}
 * is two endpoints up and two down in az1, four up of weight 3 in az2. The node is in az1 unless said otherwise.
 */
class ZoneChoiceTest {

    private static final int PICKS = 10_000;
    private static final double TOLERANCE = 0.03;

    /** The standing of a pool written as above. */
    static List<EndpointStatus> pool(String spec) {
        List<EndpointStatus> standing = new ArrayList<>();
        for (String word : spec.trim().split("\\s+")) {
            String zone = word.substring(0, word.indexOf(':'));
            String rest = word.substring(word.indexOf(':') + 1);
            int weight = rest.contains("x") ? Integer.parseInt(rest.substring(rest.indexOf('x') + 1)) : 1;
            String states = rest.contains("x") ? rest.substring(0, rest.indexOf('x')) : rest;
            for (char c : states.toCharArray()) {
                int index = standing.size();
                Endpoint e = new Endpoint("web", index, new EndpointConfig(new HostPort("127.0.0.1", 9001 + index), weight,
                        zone.equals("-") ? null : zone));
                EndpointState state = switch (c) {
                    case 'H' -> EndpointState.HEALTHY;
                    case 'U' -> EndpointState.UNHEALTHY;
                    case 'E' -> EndpointState.EJECTED;
                    case 'D' -> EndpointState.DRAINING;
                    case 'S' -> EndpointState.SLOW_START;
                    default -> throw new IllegalArgumentException("state " + c);
                };
                int full = ViewBuilder.fullWeight(e);
                standing.add(new EndpointStatus(e, state, state == EndpointState.SLOW_START ? full / 10 : full));
            }
        }
        return standing;
    }

    static PoolView view(String spec, double minHealthy, double panicThreshold, Balance balance) {
        return ViewBuilder.compute(pool(spec), panicThreshold, new ZonePreference("az1", minHealthy),
                list -> Balancers.create(balance, list));
    }

    /** The share of {@link #PICKS} picks each zone got, and checks that no pick went to an endpoint that does not serve. */
    static Map<String, Double> split(PoolView view) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (int i = 0; i < PICKS; i++) {
            Endpoint e = view.balancer().pick(mix(i));
            EndpointStatus s = view.endpoints().get(e.index());
            assertThat(s.state().serving() || view.panic()).as("picked %s in state %s", e, s.state()).isTrue();
            counts.merge(ZoneChoice.zoneOf(s), 1, Integer::sum);
        }
        Map<String, Double> shares = new LinkedHashMap<>();
        counts.forEach((zone, n) -> shares.put(zone, n / (double) PICKS));
        return shares;
    }

    static Stream<Arguments> spills() {
        // spec, min_healthy, expected shares of az1, az2, az3 (as worked out in the README's formula)
        return Stream.of(
                // half of az1 up: it keeps 0.5 / 0.7 = 71.4 %, the rest split by capacity
                Arguments.of("az1:HHUU az2:HHHH az3:HHHH", 0.7, 0.714, 0.143, 0.143),
                // a quarter up: 0.25 / 0.7 = 35.7 %
                Arguments.of("az1:HUUU az2:HHHH az3:HHHH", 0.7, 0.357, 0.321, 0.321),
                // az1 dead: nothing stays; az3 has half az2's capacity
                Arguments.of("az1:UUUU az2:HHHH az3:HHUU", 0.7, 0.0, 0.667, 0.333),
                // weights: az2's endpoints weigh 3, az3's 1, so the spill goes 3:1
                Arguments.of("az1:HUU az2:HHx3 az3:HH", 0.7, 0.476, 0.393, 0.131),
                // ejected counts as down; az3 is dead and gets nothing
                Arguments.of("az1:HHEE az2:HUUU az3:UUUU", 0.7, 0.714, 0.286, 0.0),
                // az1 keeps at least its share of the healthy capacity: 3 of 4 serving endpoints are there
                Arguments.of("az1:HHHUU az2:HUUUU", 0.9, 0.75, 0.25, 0.0),
                // min_healthy 100 %: one down of ten is a 10 % spill
                Arguments.of("az1:HHHHHHHHHU az2:HHHHHHHHHH", 1.0, 0.9, 0.1, 0.0),
                // weighted capacity in az1: the weight-3 endpoint is down, so 2 of 5 weight is up (40 %)
                Arguments.of("az1:Ux3 az1:HH az2:HHHHH", 0.8, 0.5, 0.5, 0.0),
                // a returning zone in slow start: 10 % of its weight, so it keeps 0.1 / 0.7
                Arguments.of("az1:SSSS az2:HHHH", 0.7, 0.143, 0.857, 0.0));
    }

    @ParameterizedTest(name = "{0} at {1}: az1 {2}, az2 {3}, az3 {4}")
    @MethodSource("spills")
    void spillSplitsAsComputedOnEveryPolicy(String spec, double minHealthy, double az1, double az2, double az3) {
        for (Balance balance : Balance.values()) {
            PoolView view = view(spec, minHealthy, 0, balance);
            assertThat(view.zones().mode()).isEqualTo(Mode.SPILL);
            Map<String, Double> split = split(view);
            assertThat(split.getOrDefault("az1", 0.0)).as("%s az1", balance).isCloseTo(az1, within(TOLERANCE));
            assertThat(split.getOrDefault("az2", 0.0)).as("%s az2", balance).isCloseTo(az2, within(TOLERANCE));
            assertThat(split.getOrDefault("az3", 0.0)).as("%s az3", balance).isCloseTo(az3, within(TOLERANCE));
            // what status and metrics report is what the balancer does
            assertThat(view.zones().zone("az1").share()).isCloseTo(az1, within(0.001));
            assertThat(view.zones().zone("az2").share()).isCloseTo(az2, within(0.001));
        }
    }

    static Stream<Arguments> local() {
        return Stream.of(
                Arguments.of("az1:HHHH az2:HHHH az3:HHHH", 0.7),
                // exactly at the threshold: 7 of 10 is still enough
                Arguments.of("az1:HHHHHHHUUU az2:HHHH", 0.7),
                // draining endpoints are out of the count: 2 of 2 not draining are up
                Arguments.of("az1:HHDD az2:HHHH", 0.7),
                // min_healthy 0: local while anything there serves
                Arguments.of("az1:HUUUUUUUUU az2:HHHH", 0.0),
                // endpoints without a zone are one more remote group
                Arguments.of("az1:HH -:HHHH", 0.5));
    }

    @ParameterizedTest(name = "{0} at {1}")
    @MethodSource("local")
    void enoughHealthyInTheLocalZoneKeepsEveryPickThere(String spec, double minHealthy) {
        for (Balance balance : Balance.values()) {
            PoolView view = view(spec, minHealthy, 0, balance);
            assertThat(view.zones().mode()).isEqualTo(Mode.LOCAL);
            assertThat(split(view)).as("%s", balance).containsOnlyKeys("az1");
            assertThat(view.zones().zone("az1").share()).isEqualTo(1.0);
        }
    }

    static Stream<Arguments> edges() {
        return Stream.of(
                Arguments.of("az1:HHHHHHHUUU az2:HH", 0.7, Mode.LOCAL),
                Arguments.of("az1:HHHHHHUUUU az2:HH", 0.7, Mode.SPILL),
                Arguments.of("az1:HHHHHHHHHH az2:HH", 1.0, Mode.LOCAL),
                Arguments.of("az1:HHHHHHHHHU az2:HH", 1.0, Mode.SPILL),
                Arguments.of("az1:UUUU az2:HH", 0.0, Mode.SPILL),
                Arguments.of("az1:DDDD az2:HH", 0.7, Mode.SPILL),
                Arguments.of("az1:Hx7 az1:Ux3 az2:HH", 0.7, Mode.LOCAL),
                Arguments.of("az1:Hx69 az1:Ux31 az2:HH", 0.7, Mode.SPILL));
    }

    @ParameterizedTest(name = "{0} at {1}: {2}")
    @MethodSource("edges")
    void thresholdEdges(String spec, double minHealthy, Mode mode) {
        assertThat(view(spec, minHealthy, 0, Balance.ROUND_ROBIN).zones().mode()).isEqualTo(mode);
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void aDeadZoneIsNeverPicked(Balance balance) {
        for (String spec : List.of("az1:UUUU az2:HHHH az3:UUUU", "az1:HUUU az2:EEEE az3:HHHH", "az1:HHUU az2:DDDD az3:UH")) {
            Map<String, Double> split = split(view(spec, 0.7, 0, balance));
            for (String zone : List.of("az1", "az2", "az3")) {
                if (!spec.matches(".*" + zone + ":[^ ]*[HS].*")) {
                    assertThat(split).as("%s %s", balance, spec).doesNotContainKey(zone);
                }
            }
        }
    }

    @Test
    void aLargePoolSpillsAsSmallAShareAsComputed() {
        // 600 endpoints: az2's 1 % over 300 endpoints must not round up to a whole unit each
        String spec = "az1:" + "H".repeat(208) + "U".repeat(92) + " az2:" + "H".repeat(300);
        PoolView view = view(spec, 0.7, 0, Balance.RANDOM);
        double az1 = (208 / 300.0) / 0.7;
        assertThat(az1).isCloseTo(0.99, within(0.001));
        assertThat(split(view).getOrDefault("az2", 0.0)).isCloseTo(1 - az1, within(0.005));
    }

    @Test
    void panicIsForThePoolAsAWholeAndIgnoresZones() {
        // 3 of 12 serve, below a 50 % panic threshold: every endpoint not draining is in, whatever its zone
        PoolView view = view("az1:HUUU az2:HUUU az3:HUUD", 0.7, 0.5, Balance.ROUND_ROBIN);
        assertThat(view.panic()).isTrue();
        assertThat(view.zones().mode()).isEqualTo(Mode.PANIC);
        Map<String, Double> split = split(view);
        assertThat(split.get("az1")).isCloseTo(4 / 11.0, within(TOLERANCE));
        assertThat(split.get("az3")).isCloseTo(3 / 11.0, within(TOLERANCE));
    }

    /** Without a local zone the balancer gets exactly the list it gets without zones: nothing changes for such pools. */
    @Test
    void withoutAPreferenceTheViewIsExactlyTheZoneBlindOne() {
        for (String spec : List.of("az1:HHUU az2:HSHH", "-:HHUE", "az2:HUx3 az3:DH")) {
            List<EndpointStatus> standing = pool(spec);
            RecordingBalancers blind = new RecordingBalancers();
            RecordingBalancers zoned = new RecordingBalancers();
            ViewBuilder.compute(standing, 0.5, ZonePreference.NONE, blind);
            PoolView view = ViewBuilder.compute(standing, 0.5, new ZonePreference(null, 0.7), zoned);
            assertThat(zoned.last()).isEqualTo(blind.last());
            assertThat(view.zones().mode()).isEqualTo(Mode.OFF);
        }
    }

    @Test
    void theStandingOfEachZoneIsReported() {
        ZoneRouting zones = view("az1:HHUD az2:SHHH -:H", 0.7, 0, Balance.ROUND_ROBIN).zones();
        assertThat(zones.localZone()).isEqualTo("az1");
        assertThat(zones.zones()).extracting(ZoneRouting.Zone::name).containsExactly("az1", "az2", "-");
        assertThat(zones.zone("az1")).satisfies(z -> {
            assertThat(z.endpoints()).isEqualTo(4);
            assertThat(z.healthy()).isEqualTo(2);
            assertThat(z.capacity()).isCloseTo(2 / 3.0, within(1e-9));
        });
        assertThat(zones.zone("az2").capacity()).isCloseTo(3.1 / 4, within(1e-9));
        assertThat(zones.summary()).startsWith("spill: az1 has 2/4 healthy, 67% of its capacity (min_healthy 70%); shares az1 95.2%");
    }

    @Test
    void hashingStaysConsistentWithinTheChosenZones() {
        for (Balance balance : List.of(Balance.MAGLEV, Balance.RING_HASH, Balance.SOURCE_HASH)) {
            PoolView first = view("az1:HHUU az2:HHHH", 0.7, 0, balance);
            PoolView again = view("az1:HHUU az2:HHHH", 0.7, 0, balance);
            for (int i = 0; i < 1000; i++) {
                assertThat(again.balancer().pick(mix(i)).address()).isEqualTo(first.balancer().pick(mix(i)).address());
            }
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
