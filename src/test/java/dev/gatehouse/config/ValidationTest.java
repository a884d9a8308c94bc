package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each class of config mistake produces exactly one error at the right line and key path. */
class ValidationTest {

    @RegisterExtension
    final ConfigFixture fixture = new ConfigFixture();

    private void assertErrors(String yaml, String... expected) {
        assertThat(fixture.errors(yaml)).containsExactly(expected);
    }

    /** A valid cluster section (lines 1-9) for tests that need one; node lb1 is a member. */
    private static final String CLUSTER = """
            node: { id: lb1 }
            cluster:
              name: edge
              secret_file: cluster.key
              members:
                - { id: lb1, address: 127.0.0.1:7946 }
                - { id: lb2, address: 127.0.0.1:7947 }
              vips:
                - { name: front, address: 127.0.0.10, driver: loopback }
            """;

    @Nested
    class ValuesAndTypes {

        @Test
        void weightOutOfRange() {
            assertErrors("""
                    node: { id: lb1 }
                    pools:
                      web:
                        endpoints:
                          - address: 127.0.0.1:9001
                          - address: 127.0.0.1:9002
                            weight: 0
                    """, "gh.yaml:7 pools.web.endpoints[1].weight: must be 1..1000, got 0");
        }

        @Test
        void listWhereAValueBelongs() {
            assertErrors("""
                    node: { id: lb1 }
                    pools:
                      web:
                        retries: [1, 2]
                        endpoints: [ { address: 127.0.0.1:9001 } ]
                    """, "gh.yaml:4 pools.web.retries: must be a single value, got a list");
        }

        @Test
        void wordWhereANumberBelongs() {
            assertErrors("""
                    node: { id: lb1 }
                    pools:
                      web:
                        retries: two
                        endpoints: [ { address: 127.0.0.1:9001 } ]
                    """, "gh.yaml:4 pools.web.retries: must be a whole number, got 'two'");
        }

        @Test
        void mappingWhereAListBelongs() {
            assertErrors("""
                    node: { id: lb1 }
                    pools:
                      web:
                        endpoints: { address: 127.0.0.1:9001 }
                    """, "gh.yaml:4 pools.web.endpoints: must be a list, got a mapping");
        }

        @Test
        void durationWithoutUnit() {
            assertErrors("""
                    node: { id: lb1 }
                    pools:
                      web:
                        endpoints: [ { address: 127.0.0.1:9001 } ]
                        slow_start: 10
                    """, "gh.yaml:5 pools.web.slow_start: must be a duration such as 500ms, 2s, 1m or 1h, got '10'"
                    + " (add a unit: 10s or 10ms)");
        }

        @Test
        void badSizes() {
            assertErrors("""
                    node: { id: lb1 }
                    pools: { web: { endpoints: [ { address: 127.0.0.1:9001 } ] } }
                    listeners:
                      - name: a
                        bind: 127.0.0.1:8080
                        routes: [ { pool: web } ]
                        max_header_size: 32kb
                      - name: b
                        bind: 127.0.0.1:8081
                        routes: [ { pool: web } ]
                        max_header_size: 2MiB
                    """,
                    "gh.yaml:7 listeners[0].max_header_size: must be a size such as 512, 64KiB, 1MiB or 1GiB, got '32kb'",
                    "gh.yaml:11 listeners[1].max_header_size: must be 1KiB..1MiB, got 2MiB");
        }

        @Test
        void h2cOnlyOnCleartextHttpListeners() {
            assertErrors("""
                    node: { id: lb1 }
                    pools: { web: { endpoints: [ { address: 127.0.0.1:9001 } ] } }
                    listeners:
                      - { name: a, bind: 127.0.0.1:8080, routes: [ { pool: web } ], h2c: true }
                      - { name: b, bind: 127.0.0.1:8081, protocol: tcp, pool: web, h2c: true }
                      - { name: c, bind: 127.0.0.1:8082, routes: [ { pool: web } ], h2c: yes please }
                    """,
                    "gh.yaml:5 listeners[1].h2c: HTTP/2 needs an http listener",
                    "gh.yaml:6 listeners[2].h2c: must be true or false, got 'yes please'");
        }

        @Test
        void portZeroOnlyWhereThisProcessListens() {
            assertErrors("""
                    node: { id: lb1, admin: "127.0.0.1:0" }
                    pools: { web: { endpoints: [ { address: 127.0.0.1:0 } ] } }
                    listeners:
                      - { name: a, bind: "vip:front:0", routes: [ { pool: web } ] }
                      - { name: b, bind: "127.0.0.1:0", routes: [ { pool: web } ] }
                      - { name: c, bind: "127.0.0.1:0", routes: [ { pool: web } ] }
                    """,
                    "gh.yaml:2 pools.web.endpoints[0].address: port must be 1..65535, got 0",
                    "gh.yaml:4 listeners[0].bind: port must be 1..65535, got 0");
        }

        @Test
        void unknownKeysWithHints() {
            assertErrors("""
                    node: { id: lb1 }
                    listener: []
                    pools:
                      web:
                        endpoint: [ { address: 127.0.0.1:9001 } ]
                        endpoints: [ { address: 127.0.0.1:9001, wieght: 2, color: red } ]
                    """,
                    "gh.yaml:2 listener: unknown key (did you mean listeners?)",
                    "gh.yaml:5 pools.web.endpoint: unknown key (did you mean endpoints?)",
                    "gh.yaml:6 pools.web.endpoints[0].wieght: unknown key (did you mean weight?)",
                    "gh.yaml:6 pools.web.endpoints[0].color: unknown key");
        }

        @Test
        void unknownEnumValueWithHint() {
            assertErrors("""
                    node: { id: lb1 }
                    pools:
                      web:
                        balance: round-robin
                        endpoints: [ { address: 127.0.0.1:9001 } ]
                    """, "gh.yaml:4 pools.web.balance: must be one of round_robin | least_request | random | source_hash"
                    + " | maglev | ring_hash, got 'round-robin' (did you mean round_robin?)");
        }

        @Test
        void yamlSyntaxErrorIsOneErrorWithItsLine() {
            assertThat(fixture.errors("""
                    node: { id: lb1 }
                    pools:
                      web:
                        endpoints: [ { address: 127.0.0.1:9001 }
                    listeners: []
                    """)).singleElement().asString().startsWith("gh.yaml:5: invalid YAML: ");
        }

        @Test
        void emptyFile() {
            assertErrors("# nothing here\n", "gh.yaml:1: the config is empty");
        }

        @Test
        void notAMapping() {
            assertErrors("- node\n", "gh.yaml:1: must be a mapping (key: value), got a list");
        }
    }

    @Nested
    class DuplicateNamesAndAddresses {

        @Test
        void listenerNamesAndBindAddresses() {
            assertErrors("""
                    node: { id: lb1, admin: 127.0.0.1:9901 }
                    pools: { db: { endpoints: [ { address: 127.0.0.1:5432 } ] } }
                    listeners:
                      - { name: pg, bind: 127.0.0.1:6432, protocol: tcp, pool: db }
                      - { name: pg, bind: 127.0.0.2:6432, protocol: tcp, pool: db }
                      - { name: pg2, bind: 0.0.0.0:6432, protocol: tcp, pool: db }
                      - { name: pg3, bind: 127.0.0.1:9901, protocol: tcp, pool: db }
                    """,
                    "gh.yaml:5 listeners[1].name: duplicate listener name pg (first at line 4)",
                    "gh.yaml:6 listeners[2].bind: address 0.0.0.0:6432 is already bound by listener 'pg' (line 4)",
                    "gh.yaml:7 listeners[3].bind: address 127.0.0.1:9901 is already bound by node.admin (line 1)");
        }

        @Test
        void poolNamesAreDuplicateKeys() {
            assertErrors("""
                    node: { id: lb1 }
                    pools:
                      web:
                        endpoints: [ { address: 127.0.0.1:9001 } ]
                      web:
                        endpoints: [ { address: 127.0.0.1:9002 } ]
                    """, "gh.yaml:5 pools.web: duplicate key (first at line 3)");
        }

        @Test
        void endpointAddressesWithinAPool() {
            assertErrors("""
                    node: { id: lb1 }
                    pools:
                      web:
                        endpoints:
                          - { address: 127.0.0.1:9001 }
                          - { address: 127.0.0.1:9001, weight: 5 }
                    """, "gh.yaml:6 pools.web.endpoints[1].address: duplicate endpoint 127.0.0.1:9001 (first at line 5)");
        }

        @Test
        void leaseOutOfBoundsAndFencePortsThatCannotWork() {
            assertErrors(CLUSTER.replace("  name: edge\n", "  name: edge\n  lease: 300ms\n")
                            .replace("127.0.0.1:7947", "127.0.0.1:8946")
                            .replace("127.0.0.1:7946 }", "127.0.0.1:65000 }"),
                    "gh.yaml:4 cluster.lease: must be between 400ms and 30s, got 300ms: an owner must keep its lease through a "
                            + "leader election (up to 300ms) and a renewal, and a takeover whose cause cannot be confirmed "
                            + "waits about 1.1 leases",
                    "gh.yaml:7 cluster.members[0].address: port 65000 leaves no room for the member's fence port (the cluster "
                            + "port + 1000); use a port up to 64535");
            assertErrors(CLUSTER.replace("127.0.0.1:7947", "127.0.0.1:8946"),
                    "gh.yaml:6 cluster.members: the fence port of lb1 (127.0.0.1:8946, its cluster port + 1000) is the cluster "
                            + "address of lb2");
        }

        @Test
        void memberIdsAndAddressesAndVipNames() {
            assertErrors((CLUSTER + """
                        - { name: front, address: 127.0.0.11, driver: loopback }
                    """).replace("lb2, address: 127.0.0.1:7947", "lb1, address: 127.0.0.1:7946"),
                    "gh.yaml:7 cluster.members[1].id: duplicate member id lb1 (first at line 6)",
                    "gh.yaml:7 cluster.members[1].address: duplicate member address 127.0.0.1:7946 (first at line 6)",
                    "gh.yaml:10 cluster.vips[1].name: duplicate VIP name front (first at line 9)");
        }
    }

    @Nested
    class References {

        @Test
        void routeAndTcpListenerNamingMissingPools() {
            assertErrors("""
                    node: { id: lb1 }
                    pools: { web: { endpoints: [ { address: 127.0.0.1:9001 } ] } }
                    listeners:
                      - name: site
                        bind: 127.0.0.1:8080
                        routes:
                          - { match: { path_prefix: /api }, pool: wbe }
                          - { pool: web }
                      - { name: pg, bind: 127.0.0.1:6432, protocol: tcp, pool: db }
                    """,
                    "gh.yaml:7 listeners[0].routes[0].pool: no pool named 'wbe' (did you mean web?)",
                    "gh.yaml:9 listeners[1].pool: no pool named 'db'");
        }

        @Test
        void vipBindNamingAMissingVip() {
            assertErrors(CLUSTER + """
                    pools: { web: { endpoints: [ { address: 127.0.0.1:9001 } ] } }
                    listeners:
                      - { name: site, bind: "vip:fornt:80", routes: [ { pool: web } ] }
                    """, "gh.yaml:12 listeners[0].bind: no VIP named 'fornt' in cluster.vips (did you mean front?)");
        }

        @Test
        void vipBindWithoutACluster() {
            assertErrors("""
                    node: { id: lb1 }
                    pools: { web: { endpoints: [ { address: 127.0.0.1:9001 } ] } }
                    listeners:
                      - { name: site, bind: "vip:front:80", routes: [ { pool: web } ] }
                    """, "gh.yaml:4 listeners[0].bind: binds on VIP 'front' but there is no cluster section to define it");
        }
    }

    @Nested
    class ListenerShapes {

        private static final String POOLS = """
                node: { id: lb1 }
                pools: { web: { endpoints: [ { address: 127.0.0.1:9001 } ] } }
                listeners:
                """;

        @Test
        void tcpWithoutPool() {
            assertErrors(POOLS + "  - { name: pg, bind: 127.0.0.1:6432, protocol: tcp }\n",
                    "gh.yaml:4 listeners[0].pool: is required");
        }

        @Test
        void tcpWithRoutes() {
            assertErrors(POOLS + "  - { name: pg, bind: 127.0.0.1:6432, protocol: tcp, pool: web, routes: [ { pool: web } ] }\n",
                    "gh.yaml:4 listeners[0].routes: a tcp listener sends everything to its pool; routes apply only to http");
        }

        @Test
        void httpWithPoolInsteadOfRoutes() {
            assertErrors(POOLS + "  - { name: site, bind: 127.0.0.1:8080, pool: web }\n",
                    "gh.yaml:4 listeners[0].pool: an http listener sends requests by routes:, not pool: (or set protocol: tcp)");
        }

        @Test
        void httpWithoutRoutes() {
            assertErrors(POOLS + "  - { name: site, bind: 127.0.0.1:8080 }\n  - { name: b, bind: 127.0.0.1:8081, routes: [] }\n",
                    "gh.yaml:4 listeners[0].routes: is required",
                    "gh.yaml:5 listeners[1].routes: must list at least one route");
        }

        @Test
        void defaultRouteNotLast() {
            assertErrors(POOLS + """
                      - name: site
                        bind: 127.0.0.1:8080
                        routes:
                          - pool: web
                          - { match: { host: api.example.com }, pool: web }
                    """, "gh.yaml:7 listeners[0].routes[0]: a route without match takes every request,"
                    + " so the routes after it are unreachable; put it last");
        }

        @Test
        void perClientRateMustBePositive() {
            assertErrors(POOLS + """
                      - name: site
                        bind: 127.0.0.1:8080
                        routes: [ { pool: web } ]
                        limits: { per_client: { requests_per_second: 0 } }
                    """, "gh.yaml:7 listeners[0].limits.per_client.requests_per_second: must be more than 0, got 0");
        }
    }

    @Nested
    class PoolThresholds {

        private void assertPoolError(String poolLines, String... expected) {
            assertErrors("""
                    node: { id: lb1 }
                    pools:
                      web:
                        endpoints: [ { address: 127.0.0.1:9001 } ]
                    """ + poolLines, expected);
        }

        @Test
        void riseAndFallAtLeastOne() {
            assertErrors("""
                    node: { id: lb1 }
                    pools:
                      web:
                        endpoints: [ { address: 127.0.0.1:9001 } ]
                        health: { rise: 0, fall: 0 }
                    """,
                    "gh.yaml:5 pools.web.health.rise: must be 1..100, got 0",
                    "gh.yaml:5 pools.web.health.fall: must be 1..100, got 0");
        }

        /** A check that may take longer than the interval is valid: the next one waits for it (HAProxy, Envoy). */
        @Test
        void timeoutAtOrAboveIntervalIsAccepted() {
            HealthConfig health = healthOf("    health: { interval: 1s, timeout: 2s }\n");
            assertThat(health.timeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(health.interval()).isEqualTo(Duration.ofSeconds(1));
        }

        @Test
        void defaultTimeoutIsOneSecondOrTheIntervalIfShorter() {
            assertThat(healthOf("    health: { interval: 500ms }\n").timeout()).isEqualTo(Duration.ofMillis(500));
            assertThat(healthOf("    health: { interval: 5s }\n").timeout()).isEqualTo(Duration.ofSeconds(1));
        }

        private HealthConfig healthOf(String poolLines) {
            return fixture.parse("""
                    node: { id: lb1 }
                    pools:
                      web:
                        endpoints: [ { address: 127.0.0.1:9001 } ]
                    """ + poolLines).config().pools().get("web").health();
        }

        @Test
        void maxEjectedAboveAll() {
            assertPoolError("    outlier: { max_ejected: 150% }\n", "gh.yaml:5 pools.web.outlier.max_ejected: must be 0%..100%, got 150%");
        }

        @Test
        void panicThresholdAboveAll() {
            assertPoolError("    panic_threshold: 101%\n", "gh.yaml:5 pools.web.panic_threshold: must be 0%..100%, got 101%");
        }

        @Test
        void retriesAboveTen() {
            assertPoolError("    retries: 11\n", "gh.yaml:5 pools.web.retries: must be 0..10, got 11");
        }

        @Test
        void expectStatusBackwards() {
            assertPoolError("    health: { type: http, expect_status: 399-200 }\n",
                    "gh.yaml:5 pools.web.health.expect_status: range is empty: 399 is above 200");
        }

        @Test
        void expectStatusOutsideHttp() {
            assertPoolError("    health: { type: http, expect_status: 200-600 }\n",
                    "gh.yaml:5 pools.web.health.expect_status: status codes must be within 100..599, got 200-600");
        }

        @Test
        void httpSettingsOnATcpCheck() {
            assertPoolError("    health: { path: /healthz }\n", "gh.yaml:5 pools.web.health.path: applies only to type: http");
        }

        @Test
        void emptyEndpointList() {
            assertErrors("""
                    node: { id: lb1 }
                    pools:
                      web:
                        endpoints: []
                    """, "gh.yaml:4 pools.web.endpoints: must list at least one endpoint");
        }

        @Test
        void hashOnWithoutHashingPolicy() {
            assertPoolError("    hash_on: header:X-User\n",
                    "gh.yaml:5 pools.web.hash_on: hash_on only applies to source_hash, maglev, ring_hash or a pool with stick (balance is round_robin)");
        }

        @Test
        void hashOnWithStickNeedsNoHashingPolicy() {
            assertErrors("""
                    node: { id: lb1 }
                    pools:
                      web:
                        endpoints: [ { address: 127.0.0.1:9001 } ]
                        hash_on: header:X-User
                        stick: {}
                    """);
        }

        @Test
        void stickSizeAndExpireAreChecked() {
            assertPoolError("    stick: { expire: 0s, size: 0, keep: 1 }\n",
                    "gh.yaml:5 pools.web.stick.keep: unknown key",
                    "gh.yaml:5 pools.web.stick.expire: must be more than 0, got 0s",
                    "gh.yaml:5 pools.web.stick.size: must be 1..10000000, got 0");
        }

        @Test
        void invalidStickyCookieName() {
            assertPoolError("    sticky_cookie: \"my cookie\"\n",
                    "gh.yaml:5 pools.web.sticky_cookie: must be a valid header or cookie name (no spaces, quotes or separators),"
                    + " got 'my cookie'");
        }
    }

    @Nested
    class Cluster {

        @Test
        void nodeIdMissing() {
            assertErrors("node: { admin: 127.0.0.1:9901 }\n", "gh.yaml:1 node.id: is required");
        }

        @Test
        void nodeSectionMissing() {
            assertErrors("listeners: []\n", "gh.yaml:1 node: is required");
        }

        @Test
        void fewerThanTwoMembers() {
            assertErrors("""
                    node: { id: lb1 }
                    cluster:
                      name: edge
                      secret_file: cluster.key
                      members:
                        - { id: lb1, address: 127.0.0.1:7946 }
                    """, "gh.yaml:6 cluster.members: a cluster needs at least 2 members (omit cluster: to run a single node)");
        }

        @Test
        void witnessWithPriority() {
            assertErrors(CLUSTER.replace("    - { id: lb2, address: 127.0.0.1:7947 }\n",
                            "    - { id: lb2, address: 127.0.0.1:7947 }\n    - { id: w1, address: 127.0.0.1:7948, role: witness, priority: 10 }\n"),
                    "gh.yaml:8 cluster.members[2].priority: a witness never owns a VIP, so it takes no priority");
        }

        @Test
        void nodeNotAMember() {
            assertErrors(CLUSTER.replace("node: { id: lb1 }", "node: { id: lb3 }"),
                    "gh.yaml:1 node.id: node 'lb3' is not among cluster.members (lb1, lb2) (did you mean lb1?)");
        }

        @Test
        void secretFileMissing() {
            assertThat(fixture.errors(CLUSTER.replace("secret_file: cluster.key", "secret_file: missing.key")))
                    .containsExactly("gh.yaml:4 cluster.secret_file: cannot read " + fixture.dir().resolve("missing.key")
                            + " (a relative path is resolved from the config file's directory)");
        }

        @Test
        void aWitnessNeedsNoNodeBgpForABgpVip() {
            String witness = vip("    - { name: front, address: 198.51.100.10, driver: bgp }\n")
                    .replace("node: { id: lb1 }", "node: { id: w1 }")
                    .replace("    - { id: lb2, address: 127.0.0.1:7947 }\n",
                            "    - { id: lb2, address: 127.0.0.1:7947 }\n    - { id: w1, address: 127.0.0.1:7948, role: witness }\n");
            assertThat(fixture.errors(witness)).isEmpty();
            assertThat(fixture.errors(witness.replace("node: { id: w1 }", "node: { id: lb2 }")))
                    .containsExactly("gh.yaml:10 cluster.vips[0].driver: driver bgp needs node.bgp (local_as, router_id, peers) on this node");
        }

        private String vip(String vipLine) {
            return CLUSTER.replace("    - { name: front, address: 127.0.0.10, driver: loopback }\n", vipLine);
        }

        @Test
        void arpDriverWithoutArp() {
            assertErrors(vip("    - { name: front, address: 127.0.0.10, driver: arp }\n"), "gh.yaml:9 cluster.vips[0].arp: is required");
        }

        @Test
        void arpSettingsOnAnotherDriver() {
            assertErrors(vip("    - { name: front, address: 127.0.0.10, driver: loopback, arp: { interface: eth0 } }\n"),
                    "gh.yaml:9 cluster.vips[0].arp: applies only to driver: arp");
        }

        @Test
        void aBgpVipNeedsNodeBgp() {
            assertErrors(vip("""
                        - name: front
                          address: 198.51.100.10
                          driver: bgp
                          mode: active_active
                          bgp: { communities: [ "65001:100" ] }
                    """),
                    "gh.yaml:11 cluster.vips[0].driver: driver bgp needs node.bgp (local_as, router_id, peers) on this node");
        }

        @Test
        void activeActiveNeedsBgpAndHasNoPreemption() {
            assertErrors(vip("""
                        - { name: front, address: 127.0.0.10, driver: loopback, mode: active_active }
                        - { name: back, address: 127.0.0.11, driver: loopback, preempt: { enabled: false } }
                    """),
                    "gh.yaml:9 cluster.vips[0].mode: active_active needs driver: bgp (with loopback only one node can hold"
                            + " the address)");
        }
    }

    @Test
    void fiveDifferentErrorsAreAllReported() {
        assertErrors("""
                node: { id: lb1 }
                listeners:
                  - { name: site, bind: 127.0.0.1:8080, routes: [ { pool: missing } ] }
                pools:
                  web:
                    balance: roundrobin
                    endpoints:
                      - { address: 127.0.0.1:9001, weight: 0 }
                    health: { interval: 1s, rise: 0 }
                    retries: 20
                """,
                "gh.yaml:3 listeners[0].routes[0].pool: no pool named 'missing'",
                "gh.yaml:6 pools.web.balance: must be one of round_robin | least_request | random | source_hash | maglev"
                        + " | ring_hash, got 'roundrobin' (did you mean round_robin?)",
                "gh.yaml:8 pools.web.endpoints[0].weight: must be 1..1000, got 0",
                "gh.yaml:9 pools.web.health.rise: must be 1..100, got 0",
                "gh.yaml:10 pools.web.retries: must be 0..10, got 20");
    }
}
