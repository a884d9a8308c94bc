package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SnapshotTest {

    private static final String BASE = """
            node: { id: lb1, admin: 127.0.0.1:9901 }
            listeners:
              - name: site
                bind: 127.0.0.1:8080
                routes:
                  - { match: { host: api.example.com, header: { X-A: "1", X-B: "2" } }, pool: api }
                  - { pool: web }
            pools:
              web:
                balance: round_robin
                endpoints:
                  - { address: 127.0.0.1:9001, weight: 2 }
                  - { address: 127.0.0.1:9002 }
                health: { type: http, path: /healthz, interval: 1s, timeout: 500ms }
              api:
                endpoints: [ { address: 127.0.0.1:9011 } ]
            cluster:
              name: edge
              secret_file: cluster.key
              members: [ { id: lb1, address: 127.0.0.1:7946 }, { id: lb2, address: 127.0.0.1:7947 } ]
              vips: [ { name: front, address: 127.0.0.10, driver: loopback } ]
            """;

    /** BASE with every mapping's keys reordered, other comments and layout, and explicit defaults. */
    private static final String REORDERED = """
            # same config, written differently
            cluster:
              vips:
                - driver: loopback
                  address: 127.0.0.10
                  name: front
                  mode: active_passive     # the default, spelled out
              members:
                - { address: 127.0.0.1:7946, id: lb1 }
                - { address: 127.0.0.1:7947, id: lb2, priority: 100 }
              secret_file: ./cluster.key
              name: edge
            pools:
              api: { endpoints: [ { address: 127.0.0.1:9011, weight: 1 } ] }
              web:
                health: { timeout: 500ms, interval: 1000ms, path: /healthz, type: http }
                endpoints:
                  - { weight: 2, address: 127.0.0.1:9001 }
                  - { address: 127.0.0.1:9002 }
                retries: 2
            listeners:
              - routes:
                  - pool: api
                    match: { header: { X-B: "2", X-A: "1" }, host: api.example.com }
                  - pool: web
                bind: 127.0.0.1:8080
                name: site
            node: { id: lb2 }
            """;

    @RegisterExtension
    final ConfigFixture fixture = new ConfigFixture();

    private String hash(String yaml) {
        return Snapshot.of(fixture.parse(yaml).config(), 1, "test").hash();
    }

    @Test
    void hashIgnoresKeyOrderCommentsLayoutDefaultsAndTheNodeSection() {
        assertThat(hash(REORDERED)).isEqualTo(hash(BASE));
    }

    @Test
    void hashChangesWhenAValueChanges() {
        String base = hash(BASE);
        assertThat(hash(BASE.replace("weight: 2", "weight: 3"))).isNotEqualTo(base);
        assertThat(hash(BASE.replace("timeout: 500ms", "timeout: 400ms"))).isNotEqualTo(base);
        assertThat(hash(BASE.replace("X-B: \"2\"", "X-B: \"3\""))).isNotEqualTo(base);
        assertThat(hash(BASE.replace("address: 127.0.0.10", "address: 127.0.0.11"))).isNotEqualTo(base);
    }

    @Test
    void hashSeesTheOrderOfLists() {
        String swapped = BASE.replace("""
                      - { address: 127.0.0.1:9001, weight: 2 }
                      - { address: 127.0.0.1:9002 }
                """, """
                      - { address: 127.0.0.1:9002 }
                      - { address: 127.0.0.1:9001, weight: 2 }
                """);
        assertThat(swapped).isNotEqualTo(BASE);
        assertThat(hash(swapped)).isNotEqualTo(hash(BASE));
    }

    @Test
    void snapshotCarriesVersionSourceAndAHexSha256() {
        GatehouseConfig config = fixture.parse(BASE).config();
        Snapshot snapshot = Snapshot.of(config, 7, "gh.yaml");

        assertThat(snapshot.config()).isSameAs(config);
        assertThat(snapshot.version()).isEqualTo(7);
        assertThat(snapshot.source()).isEqualTo("gh.yaml");
        assertThat(snapshot.hash()).matches("[0-9a-f]{64}").isEqualTo(Snapshot.hash(config));
    }
}
