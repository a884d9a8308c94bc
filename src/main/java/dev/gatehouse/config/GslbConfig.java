package dev.gatehouse.config;

import java.time.Duration;
import java.util.List;

/**
 * The {@code gslb:} section: an authoritative DNS server for one zone whose dynamic records answer only with
 * targets that pass their health checks. Names are absolute and lower case ({@code api.example.com.}).
 *
 * @param ns the zone's name servers (at least one)
 * @param secondaries servers that may take the zone by AXFR and are sent a NOTIFY when its serial changes
 * @param peers the admin APIs of the other GSLB servers of the zone, whose check verdicts count with this one's
 */
public record GslbConfig(HostPort bind, String zone, Soa soa, List<String> ns, List<RecordSet> records,
        List<HostPort> secondaries, Health health, List<HostPort> peers) {

    public GslbConfig {
        ns = List.copyOf(ns);
        records = List.copyOf(records);
        secondaries = List.copyOf(secondaries);
        peers = List.copyOf(peers);
    }

    /**
     * The zone's SOA but its serial, which the server derives from what it answers.
     *
     * @param minimum the negative-caching TTL (RFC 2308)
     */
    public record Soa(String mname, String rname, int ttl, int refresh, int retry, int expire, int minimum) {}

    /**
     * One name's record set: static ({@code type} and {@code values} in zone-file form) or dynamic ({@code policy} and
     * {@code targets}, answered as A and AAAA; {@code type} null).
     *
     * @param fallback what a dynamic record answers when every target is down; empty: every target (fail open)
     */
    public record RecordSet(String name, String type, int ttl, List<String> values, Policy policy, List<Target> targets,
            List<String> fallback) {

        public RecordSet {
            values = List.copyOf(values);
            targets = List.copyOf(targets);
            fallback = List.copyOf(fallback);
        }

        public boolean dynamic() {
            return policy != null;
        }
    }

    /**
     * A health-checked address of a dynamic record.
     *
     * @param check {@code http://...}, {@code https://...} or {@code tcp://host:port}
     * @param geo networks (CIDR) whose clients this target serves under the {@code geo} policy, and whose clients get it
     *     first under {@code failover}
     */
    public record Target(String address, String region, String check, List<String> geo, int weight) {

        public Target {
            geo = List.copyOf(geo);
        }
    }

    public record Health(Duration interval, Duration timeout, int rise, int fall) {}

    public enum Policy { FAILOVER, WEIGHTED, GEO, ALL_HEALTHY }
}
