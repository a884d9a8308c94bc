package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code node.zone}, endpoints' {@code zone} and a pool's {@code zone_aware}: defaults, values and every refusal. */
class ZoneAwareSectionTest {

    @RegisterExtension
    final ConfigFixture fixture = new ConfigFixture();

    private static String config(String node, String pool) {
        return "node: { id: lb1" + node + " }\npools:\n  web:\n" + pool;
    }

    private static final String ZONED = """
                endpoints: [ { address: 127.0.0.1:9001, zone: az1 }, { address: 127.0.0.1:9002, zone: az2 } ]
            """;

    @Test
    void nodeZoneIsAcceptedAndPoolsDefaultToOnAtSeventyPercent() {
        GatehouseConfig c = fixture.parse(config(", zone: az1", ZONED)).config();
        assertThat(c.node().zone()).isEqualTo("az1");
        assertThat(c.pools().get("web").zoneAware()).isEqualTo(new ZoneAwareConfig(true, 0.7));
    }

    @Test
    void aNodeWithoutZoneHasNone() {
        assertThat(fixture.parse(config("", ZONED)).config().node().zone()).isNull();
    }

    @Test
    void zoneAwareTakesEnabledAndMinHealthy() {
        GatehouseConfig c = fixture.parse(config(", zone: az1", ZONED + "    zone_aware: { min_healthy: 50%, enabled: false }\n")).config();
        assertThat(c.pools().get("web").zoneAware()).isEqualTo(new ZoneAwareConfig(false, 0.5));
    }

    @Test
    void zoneAwareOnAPoolWithoutZonesIsRefused() {
        assertThat(fixture.errors(config("", """
                    endpoints: [ { address: 127.0.0.1:9001 } ]
                    zone_aware: { min_healthy: 50% }
                """))).containsExactly("gh.yaml:5 pools.web.zone_aware: no endpoint of this pool has a zone, so there is nothing to prefer");
    }

    @Test
    void badValuesAreRefusedByPath() {
        assertThat(fixture.errors(config("", ZONED + "    zone_aware: { min_healthy: 170%, enabled: maybe, spill: all }\n")))
                .containsExactlyInAnyOrder(
                        "gh.yaml:5 pools.web.zone_aware.min_healthy: must be 0%..100%, got 170%",
                        "gh.yaml:5 pools.web.zone_aware.enabled: must be true or false, got 'maybe'",
                        "gh.yaml:5 pools.web.zone_aware.spill: unknown key");
    }

    @Test
    void zoneNamesMustBeNames() {
        assertThat(fixture.errors(config(", zone: \"a z\"", """
                    endpoints: [ { address: 127.0.0.1:9001, zone: "-" } ]
                """))).containsExactly(
                "gh.yaml:1 node.zone: must be a name of letters, digits, '_', '-' or '.' starting with a letter or digit, got 'a z'",
                "gh.yaml:4 pools.web.endpoints[0].zone: must be a name of letters, digits, '_', '-' or '.' starting with a letter or digit, got '-'");
    }
}
