package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GslbSectionTest {

    @RegisterExtension
    final ConfigFixture fixture = new ConfigFixture();

    private List<String> errors(String yaml) {
        return fixture.errors(yaml);
    }

    private GslbConfig parse(String yaml) {
        ConfigResult r = fixture.parse(yaml);
        assertThat(r.errorLines()).isEmpty();
        return r.config().gslb();
    }

    @Test
    void theDesignBriefsExampleRunsAsWrittenWithDefaults() {
        GslbConfig g = parse("""
                node: { id: dns1 }
                gslb:
                  bind: 127.0.0.1:5353
                  zone: example.com.
                  records:
                    - name: api.example.com.
                      ttl: 10
                      policy: failover
                      targets:
                        - { address: 203.0.113.10, region: us-east, check: "http://203.0.113.10/healthz", geo: [198.51.100.0/24] }
                        - { address: 192.0.2.10,   region: eu-west, check: "tcp://192.0.2.10:443" }
                """);
        assertThat(g.zone()).isEqualTo("example.com.");
        assertThat(g.ns()).containsExactly("ns1.example.com.");
        assertThat(g.soa()).isEqualTo(new GslbConfig.Soa("ns1.example.com.", "hostmaster.example.com.", 3600, 3600, 600, 1_209_600, 60));
        assertThat(g.health()).isEqualTo(new GslbConfig.Health(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3));
        GslbConfig.RecordSet api = g.records().getFirst();
        assertThat(api.dynamic()).isTrue();
        assertThat(api.ttl()).isEqualTo(10);
        assertThat(api.targets()).extracting(GslbConfig.Target::region).containsExactly("us-east", "eu-west");
        assertThat(api.targets().getFirst().geo()).containsExactly("198.51.100.0/24");
    }

    @Test
    void geoOnAWeightedRecordIsAnErrorNotIgnored() {
        assertThat(errors("""
                node: { id: dns1 }
                gslb:
                  bind: 127.0.0.1:5353
                  zone: example.com.
                  records:
                    - name: api.example.com.
                      policy: weighted
                      targets:
                        - { address: 203.0.113.10, check: "http://203.0.113.10/healthz", geo: [198.51.100.0/24] }
                """)).containsExactly("gh.yaml:9 gslb.records[0].targets[0].geo: applies to policies geo and failover only (this record's policy is weighted)");
    }

    @Test
    void everyMistakeIsReportedWithItsLineAndPath() {
        assertThat(errors("""
                node: { id: dns1 }
                gslb:
                  bind: 127.0.0.1:5353
                  zone: example.com.
                  health: { interval: 1s, timeout: 2s, rise: 0 }
                  secondaries: [ "ns2.example.net:53" ]
                  records:
                    - { name: www.example.org., type: A, value: 192.0.2.1 }
                    - { name: www.example.com., type: A, value: 192.0.2.300 }
                    - { name: mx.example.com., type: MX, value: "mail.example.com." }
                    - { name: t.example.com., type: TXT, value: hi, ttl: -1 }
                    - { name: c.example.com., type: CNAME, value: www.example.com. }
                    - { name: c.example.com., type: TXT, value: other }
                    - { name: example.com., type: NS, value: ns9.example.net. }
                    - { name: x.example.com., type: SOA, value: "a b 1 2 3 4 5" }
                    - name: api.example.com.
                      ttl: 86400
                      policy: nearest
                      targets:
                        - { address: 203.0.113.10, check: "ftp://203.0.113.10/" }
                        - { address: 203.0.113.10, check: "tcp://203.0.113.11", weight: 2 }
                        - { address: 203.0.113.12, check: "http://203.0.113.12/", geo: [198.51.100.1/24] }
                      fallback: [ not-an-ip ]
                    - { name: w.example.com., policy: weighted, targets: [] }
                """)).containsExactly(
                "gh.yaml:5 gslb.health.timeout: must not be longer than the interval (1s)",
                "gh.yaml:5 gslb.health.rise: must be 1..100, got 0",
                "gh.yaml:6 gslb.secondaries[0]: must be an IP address, got 'ns2.example.net'",
                "gh.yaml:8 gslb.records[0].name: must be inside the zone example.com., got 'www.example.org.'",
                "gh.yaml:9 gslb.records[1].value: is not a valid A value: '192.0.2.300' (Invalid address: 192.0.2.300)",
                "gh.yaml:10 gslb.records[2].value: is not a valid MX value: 'mail.example.com.' (expected an integer)",
                "gh.yaml:11 gslb.records[3].ttl: must be 0..2147483647, got -1",
                "gh.yaml:13 gslb.records[5]: c.example.com. has a CNAME and other records (line 12); a CNAME must stand alone",
                "gh.yaml:14 gslb.records[6].type: the zone's own name servers are set by gslb.ns",
                "gh.yaml:15 gslb.records[7].type: must be one of A | AAAA | CNAME | TXT | MX | SRV | CAA | NS, got 'SOA' (the SOA is set by gslb.soa)",
                "gh.yaml:17 gslb.records[8].ttl: must be 0..3600, got 86400",
                "gh.yaml:18 gslb.records[8].policy: must be one of failover | weighted | geo | all_healthy, got 'nearest'",
                "gh.yaml:20 gslb.records[8].targets[0].check: must start with http://, https:// or tcp://, got 'ftp://203.0.113.10/'",
                "gh.yaml:21 gslb.records[8].targets[1].check: a tcp check is tcp://host:port and nothing more, got 'tcp://203.0.113.11'",
                "gh.yaml:22 gslb.records[8].targets[2].geo[0]: address has bits set beyond the /24 prefix: '198.51.100.1/24'",
                "gh.yaml:23 gslb.records[8].fallback[0]: must be an IP address, got 'not-an-ip'",
                "gh.yaml:24 gslb.records[9].targets: must list at least one target");
    }

    @Test
    void theDnsBindConflictsWithAListener() {
        assertThat(errors("""
                node: { id: dns1 }
                listeners:
                  - { name: web, bind: 127.0.0.1:5353, protocol: tcp, pool: p }
                pools:
                  p: { endpoints: [ { address: 127.0.0.1:9001 } ] }
                gslb:
                  bind: 127.0.0.1:5353
                  zone: example.com.
                """)).containsExactly("gh.yaml:7 gslb.bind: address 127.0.0.1:5353 is already bound by listener 'web' (line 3)");
    }
}
