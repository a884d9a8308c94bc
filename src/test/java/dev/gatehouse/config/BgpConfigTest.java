package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ClusterConfig.Driver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code node.bgp} and {@code driver: bgp} VIPs: what loads, and each mistake at its line and key path. */
class BgpConfigTest {

    @RegisterExtension
    final ConfigFixture fixture = new ConfigFixture();

    private static String config(String bgp, String vip) {
        return """
                node:
                  id: lb1
                  bgp:
                %s
                cluster:
                  name: edge
                  secret_file: cluster.key
                  members:
                    - { id: lb1, address: 127.0.0.1:7946 }
                    - { id: lb2, address: 127.0.0.1:7947 }
                  vips:
                %s
                """.formatted(bgp.indent(4).stripTrailing(), vip.indent(4).stripTrailing());
    }

    private static final String BGP = """
            local_as: 4200000001
            router_id: 203.0.113.11
            peers: [ { address: 203.0.113.1, as: 65000, hold_time: 9s, bfd: { interval: 100ms, multiplier: 3 } } ]
            """;

    @Test
    void aBgpVipAndItsSpeakerLoad() throws Exception {
        Files.writeString(fixture.dir().resolve("md5.key"), "s3cret\n");
        ConfigResult result = fixture.parse(config(BGP.replace("multiplier: 3 } }", "multiplier: 3 } },\n        "
                + "{ address: 2001:db8::1, as: 65002, port: 1179, password_file: md5.key }"),
                "- { name: front, address: 198.51.100.10, driver: bgp, bgp: { communities: [ \"65001:100\", no_export ] } }"));
        assertThat(result.errors()).isEmpty();
        BgpConfig bgp = result.config().node().bgp();
        assertThat(bgp.localAs()).isEqualTo(4_200_000_001L);
        assertThat(bgp.routerId()).isEqualTo("203.0.113.11");
        assertThat(bgp.gracefulShutdown()).isEqualTo(BgpConfig.DEFAULT_GRACEFUL_SHUTDOWN);
        assertThat(bgp.peers()).containsExactly(
                new BgpConfig.Peer("203.0.113.1", 65000, 179, Duration.ofSeconds(9), null,
                        new BgpConfig.Bfd(Duration.ofMillis(100), 3)),
                new BgpConfig.Peer("2001:db8::1", 65002, 1179, BgpConfig.DEFAULT_HOLD_TIME, "s3cret", null));
        ClusterConfig.VipConfig vip = result.config().cluster().vips().getFirst();
        assertThat(vip.driver()).isEqualTo(Driver.BGP);
        assertThat(vip.bgp().communities()).containsExactly("65001:100", "65535:65281");
    }

    @Test
    void anActiveActiveVipLoadsWithoutPreemption() {
        ConfigResult result = fixture.parse(config(BGP,
                "- { name: front, address: 198.51.100.10, driver: bgp, mode: active_active }"));
        assertThat(result.errors()).isEmpty();
        ClusterConfig.VipConfig vip = result.config().cluster().vips().getFirst();
        assertThat(vip.mode()).isEqualTo(ClusterConfig.Mode.ACTIVE_ACTIVE);
        assertThat(vip.preempt().enabled()).isFalse();
    }

    @Test
    void anActiveActiveVipRefusesPreemption() {
        assertThat(fixture.errors(config(BGP, "- { name: front, address: 198.51.100.10, driver: bgp, mode: active_active,"
                + " preempt: { enabled: true } }")))
                .containsExactly("gh.yaml:14 cluster.vips[0].preempt: applies only to mode: active_passive (in"
                        + " active_active every node that can serve announces)");
    }

    @Test
    void eachMistakeIsNamedAtItsLine() {
        String bad = """
                local_as: 0
                router_id: 2001:db8::1
                graceful_shutdown: 5s
                peers:
                  - { address: 203.0.113.1, as: 65000, hold_time: 1s, password_file: missing.key }
                  - { address: 203.0.113.1, as: 65000, hold_time: 1500ms, bfd: { interval: 5ms, multiplier: 1 } }
                  - { address: 203.0.113.2, as: 65000, bfd: { interval: 11s, multiplier: 3, echo: true } }
                  - { address: 203.0.113.3, as: 65000, bfd: { multiplier: 256 } }
                """;
        assertThat(fixture.errors(config(bad, "- { name: front, address: 198.51.100.10, driver: bgp }"))).containsExactly(
                "gh.yaml:4 node.bgp.local_as: must be 1..4294967295, got 0",
                "gh.yaml:5 node.bgp.router_id: a router id is an IPv4 address (RFC 4271), got '2001:db8::1'",
                "gh.yaml:8 node.bgp.peers[0].hold_time: must be 0 or 3s..65535s (RFC 4271), got 1s",
                "gh.yaml:8 node.bgp.peers[0].password_file: cannot read " + fixture.dir().resolve("missing.key")
                        + ": no such file (a relative path is resolved from the config file's directory)",
                "gh.yaml:9 node.bgp.peers[1].address: duplicate BGP peer 203.0.113.1 port 179 (first at line 8)",
                "gh.yaml:9 node.bgp.peers[1].hold_time: must be whole seconds, got 1500ms",
                "gh.yaml:9 node.bgp.peers[1].bfd.interval: must be 10ms..10s, got 5ms",
                "gh.yaml:9 node.bgp.peers[1].bfd.multiplier: must be 2..255, got 1",
                "gh.yaml:10 node.bgp.peers[2].bfd.echo: unknown key",
                "gh.yaml:10 node.bgp.peers[2].bfd.interval: must be 10ms..10s, got 11s",
                "gh.yaml:11 node.bgp.peers[3].bfd.interval: is required",
                "gh.yaml:11 node.bgp.peers[3].bfd.multiplier: must be 2..255, got 256");
    }

    @Test
    void vipSettingsAreChecked() {
        assertThat(fixture.errors(config(BGP, """
                - { name: front, address: 198.51.100.10, driver: bgp, bgp: { communities: [ "65536:1" ] } }
                - { name: back, address: 198.51.100.11, driver: loopback, bgp: { communities: [] } }
                """))).containsExactly(
                "gh.yaml:14 cluster.vips[0].bgp.communities[0]: community halves must be 0-65535, got '65536:1'",
                "gh.yaml:15 cluster.vips[1].bgp: applies only to driver: bgp");
    }

    @Test
    void noPeersIsAnError() {
        assertThat(fixture.errors(config("local_as: 65001\nrouter_id: 203.0.113.11\npeers: []\n",
                "- { name: front, address: 198.51.100.10, driver: bgp }"))).hasSize(1)
                .first().asString().startsWith("gh.yaml:6 node.bgp.peers:");
        assertThat(List.of()).isEmpty();
    }
}
