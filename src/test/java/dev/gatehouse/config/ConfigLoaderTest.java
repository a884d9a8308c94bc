package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.MemberConfig;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ConfigLoaderTest {

    @RegisterExtension
    final ConfigFixture fixture = new ConfigFixture();

    private Path write(String resource) throws IOException {
        return Files.writeString(fixture.dir().resolve("gh.yaml"), ConfigFixture.resource(resource));
    }

    @Test
    void stickTakesItsDefaultsAndOnlyWhenPresent() {
        GatehouseConfig c = ConfigLoader.parse("""
                node: { id: lb1 }
                pools:
                  sticky:
                    endpoints: [ { address: 127.0.0.1:9001 } ]
                    stick: { expire: 10m }
                  plain:
                    endpoints: [ { address: 127.0.0.1:9002 } ]
                """, "gh.yaml").config();
        assertThat(c.pools().get("sticky").stick()).isEqualTo(new StickConfig(Duration.ofMinutes(10), 100_000));
        assertThat(c.pools().get("plain").stick()).isNull();
    }

    @Test
    void designExampleLoadsFully() throws IOException {
        ConfigResult result = ConfigLoader.load(write("design-example-complete.yaml"));

        assertThat(result.errors()).isEmpty();
        GatehouseConfig c = result.config();
        assertThat(c.node()).isEqualTo(new NodeConfig("lb1", new HostPort("127.0.0.1", 9901), null, AdminAccess.READ_ONLY, "az1", null));

        assertThat(c.listeners()).extracting(ListenerConfig::name).containsExactly("web", "pg");
        ListenerConfig web = c.listeners().get(0);
        assertThat(web.bind()).isEqualTo(Bind.plain(new HostPort("127.0.0.1", 8080)));
        assertThat(web.routes()).containsExactly(
                new RouteConfig(new MatchConfig("api.example.com", "/api", Map.of("X-Canary", "1")), "api"),
                new RouteConfig(null, "web"));
        assertThat(web.limits()).isEqualTo(new LimitsConfig(20000, new LimitsConfig.PerClient(200, 400, 100)));
        ListenerConfig pg = c.listeners().get(1);
        assertThat(pg.protocol()).isEqualTo(Protocol.TCP);
        assertThat(pg.pool()).isEqualTo("db");
        assertThat(pg.routes()).isEmpty();

        assertThat(c.pools().keySet()).containsExactly("web", "api", "db");
        PoolConfig pool = c.pools().get("web");
        assertThat(pool.stickyCookie()).isEqualTo("GH_ROUTE");
        assertThat(pool.endpoints()).containsExactly(
                new EndpointConfig(new HostPort("127.0.0.1", 9001), 2, "az1"),
                new EndpointConfig(new HostPort("127.0.0.1", 9002), 1, "az2"));
        assertThat(pool.health()).isEqualTo(new HealthConfig(HealthConfig.Type.HTTP, "/healthz", 200, 399, null,
                Duration.ofSeconds(1), Duration.ofMillis(500), 2, 3));
        assertThat(pool.outlier()).isEqualTo(new OutlierConfig(5, Duration.ofSeconds(10), 0.5));
        assertThat(pool.slowStart()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.pools().get("api").hashOn()).isEqualTo(new HashOn(HashOn.Kind.HEADER, "X-User"));
        assertThat(c.pools().get("api").endpoints().get(1).address()).isEqualTo(new HostPort("::1", 9012));

        ClusterConfig cluster = c.cluster();
        assertThat(cluster.secretFile()).isEqualTo(fixture.dir().resolve("cluster.key"));
        assertThat(cluster.members()).containsExactly(
                new MemberConfig("lb1", new HostPort("127.0.0.1", 7946), 150, Role.NODE),
                new MemberConfig("lb2", new HostPort("127.0.0.1", 7947), 100, Role.NODE),
                new MemberConfig("w1", new HostPort("127.0.0.1", 7948), 100, Role.WITNESS));
        assertThat(cluster.vips()).singleElement().satisfies(vip -> {
            assertThat(vip.driver()).isEqualTo(Driver.LOOPBACK);
            assertThat(vip.mode()).isEqualTo(Mode.ACTIVE_PASSIVE);
            assertThat(vip.preempt()).isEqualTo(new ClusterConfig.Preempt(true, Duration.ofSeconds(10)));
        });
    }

    /**
     * DESIGN.md's example as printed names two pools and two certificate files it never defines, and keys of features
     * this build does not have: those are refused by name, never accepted and ignored.
     */
    @Test
    void designExampleAsPrintedReportsExactlyItsGaps() throws IOException {
        assertThat(ConfigFixture.relabel(ConfigLoader.load(write("design-example.yaml")))).containsExactly(
                "gh.yaml:15 listeners[0].tls.certificates[0].cert: cannot read " + fixture.dir().resolve("site.crt")
                        + ": no such file (a relative path is resolved from the config file's directory)",
                "gh.yaml:15 listeners[0].tls.certificates[0].key: cannot read " + fixture.dir().resolve("site.key")
                        + ": no such file (a relative path is resolved from the config file's directory)",
                "gh.yaml:19 listeners[0].routes[0].pool: no pool named 'api'",
                "gh.yaml:25 listeners[1].pool: no pool named 'db'");
    }

    @Test
    void defaultsAreApplied() {
        GatehouseConfig c = fixture.parse("""
                node: { id: lb1 }
                listeners:
                  - name: site
                    bind: "vip:front:80"
                    routes: [ { pool: web } ]
                    limits: { per_client: { requests_per_second: 2.5 } }
                pools:
                  web:
                    endpoints: [ { address: 127.0.0.1:9001 } ]
                    health: {}
                    outlier: {}
                  plain:
                    endpoints: [ { address: 127.0.0.1:9002 } ]
                cluster:
                  name: edge
                  secret_file: cluster.key
                  members: [ { id: lb1, address: 127.0.0.1:7946 }, { id: lb2, address: 127.0.0.1:7947 } ]
                  vips: [ { name: front, address: 127.0.0.10, driver: arp, arp: { interface: eth0 } } ]
                """).config();

        assertThat(c.node().admin()).isNull();
        ListenerConfig site = c.listeners().getFirst();
        assertThat(site.protocol()).isEqualTo(Protocol.HTTP);
        assertThat(site.headerReadTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(site.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(site.maxHeaderSize()).isEqualTo(32 * 1024);
        assertThat(site.limits()).isEqualTo(new LimitsConfig(0, new LimitsConfig.PerClient(2.5, 3, 0)));

        PoolConfig web = c.pools().get("web");
        assertThat(web.health()).isEqualTo(new HealthConfig(HealthConfig.Type.TCP, "/", 200, 399, null,
                Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3));
        assertThat(web.outlier()).isEqualTo(new OutlierConfig(5, Duration.ofSeconds(30), 0.5));

        PoolConfig plain = c.pools().get("plain");
        assertThat(plain).isEqualTo(new PoolConfig("plain", Balance.ROUND_ROBIN, HashOn.SOURCE_IP, null,
                List.of(new EndpointConfig(new HostPort("127.0.0.1", 9002), 1, null)), null, null, 0.5, Duration.ZERO,
                Duration.ofSeconds(30), 2, new PoolTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60)),
                false, null));

        assertThat(c.cluster().members()).extracting(MemberConfig::priority, MemberConfig::role)
                .containsOnly(org.assertj.core.groups.Tuple.tuple(100, Role.NODE));
        ClusterConfig.VipConfig vip = c.cluster().vips().getFirst();
        assertThat(vip.arp()).isEqualTo(new ClusterConfig.Arp("eth0", 32, 3, Duration.ofSeconds(10)));
        assertThat(vip.mode()).isEqualTo(Mode.ACTIVE_PASSIVE);
        assertThat(vip.preempt()).isEqualTo(new ClusterConfig.Preempt(true, Duration.ZERO));
    }

    @Test
    void projectSpecificKeysAreRead() {
        GatehouseConfig c = fixture.parse("""
                node: { id: lb1 }
                listeners:
                  - name: site
                    bind: 127.0.0.1:8080
                    routes: [ { pool: web } ]
                    timeouts: { header_read: 5s, idle: 2m }
                    max_header_size: 64KiB
                pools:
                  web:
                    proxy_protocol: v2
                    panic_threshold: 0
                    endpoints: [ { address: 127.0.0.1:9001 } ]
                    health: { type: http, host: app.internal, expect_status: 204 }
                """).config();

        ListenerConfig site = c.listeners().getFirst();
        assertThat(site.headerReadTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(site.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(site.maxHeaderSize()).isEqualTo(65536);
        PoolConfig web = c.pools().get("web");
        assertThat(web.proxyProtocol()).isTrue();
        assertThat(web.panicThreshold()).isZero();
        assertThat(web.health().host()).isEqualTo("app.internal");
        assertThat(web.health().expectLow()).isEqualTo(204);
        assertThat(web.health().expectHigh()).isEqualTo(204);
    }

    @Test
    void unreadableFileIsOneError() {
        Path missing = fixture.dir().resolve("nope.yaml");
        ConfigResult result = ConfigLoader.load(missing);

        assertThat(result.isValid()).isFalse();
        assertThat(result.errors()).singleElement().asString()
                .startsWith(missing + ": cannot read the file: java.nio.file.NoSuchFileException");
        assertThatThrownBy(result::config).isInstanceOf(IllegalStateException.class).hasMessageContaining("nope.yaml");
    }

    @Test
    void errorsComeInLineOrder() {
        // The pool reference on line 3 is checked after the pools section on line 5 is read.
        assertThat(fixture.errors("""
                node: { id: lb1 }
                listeners:
                  - { name: site, bind: 127.0.0.1:8080, routes: [ { pool: nope } ] }
                pools:
                  web: { retries: -1, endpoints: [ { address: 127.0.0.1:9001 } ] }
                """)).containsExactly(
                "gh.yaml:3 listeners[0].routes[0].pool: no pool named 'nope'",
                "gh.yaml:5 pools.web.retries: must be 0..10, got -1");
    }

    @Test
    void clusterWideBodyIsCombinedWithTheLocalNode() {
        NodeConfig node = new NodeConfig("lb2", new HostPort("127.0.0.1", 9902));
        ConfigResult result = ConfigLoader.parseClusterWide("""
                pools: { web: { endpoints: [ { address: 127.0.0.1:9001 } ] } }
                listeners: [ { name: site, bind: 127.0.0.1:8080, routes: [ { pool: web } ] } ]
                cluster:
                  name: edge
                  secret_file: cluster.key
                  members: [ { id: lb1, address: 127.0.0.1:7946 }, { id: lb2, address: 127.0.0.1:7947 } ]
                """, "PUT /api/v1/config", node, fixture.dir());

        assertThat(result.errors()).isEmpty();
        assertThat(result.config().node()).isSameAs(node);
        assertThat(result.config().cluster().secretFile()).isEqualTo(fixture.dir().resolve("cluster.key"));
    }

    @Test
    void clusterWideBodyMayNotCarryANodeSection() {
        ConfigResult result = ConfigLoader.parseClusterWide("""
                node: { id: lb9 }
                pools: { web: { endpoints: [ { address: 127.0.0.1:9001 } ] } }
                """, "body.yaml", new NodeConfig("lb1", null), fixture.dir());

        assertThat(result.errors()).extracting(ConfigError::toString).containsExactly(
                "body.yaml:1 node: is local to each process and not part of the cluster-wide config; remove it");
    }

    @Test
    void clusterWideBodyMustListTheLocalNode() {
        ConfigResult result = ConfigLoader.parseClusterWide("""
                cluster:
                  name: edge
                  secret_file: cluster.key
                  members: [ { id: lb1, address: 127.0.0.1:7946 }, { id: lb2, address: 127.0.0.1:7947 } ]
                """, "body.yaml", new NodeConfig("lb3", null), fixture.dir());

        assertThat(result.errors()).extracting(ConfigError::toString).containsExactly(
                "body.yaml:4 cluster.members: node 'lb3' is not among cluster.members (lb1, lb2) (did you mean lb1?)");
    }

    @Test
    void errorFormat() {
        assertThat(new ConfigError("gh.yaml", 14, "pools.web.endpoints[1].weight", "must be 1..1000, got 0"))
                .hasToString("gh.yaml:14 pools.web.endpoints[1].weight: must be 1..1000, got 0");
        assertThat(new ConfigError("gh.yaml", 3, "", "invalid YAML: x")).hasToString("gh.yaml:3: invalid YAML: x");
        assertThat(new ConfigError("gh.yaml", 0, "", "cannot read")).hasToString("gh.yaml: cannot read");
    }

    @Test
    void aliasesAreFollowedAndBadValuesBehindThemStillReported() {
        assertThat(fixture.errors("""
                node: { id: lb1 }
                pools:
                  a: &shared
                    retries: 99
                    endpoints: [ { address: 127.0.0.1:9001 } ]
                  b: *shared
                """)).containsExactly(
                "gh.yaml:4 pools.a.retries: must be 0..10, got 99",
                "gh.yaml:4 pools.b.retries: must be 0..10, got 99");
    }
}
