package dev.gatehouse.config;

import java.util.List;

/** The authoritative DNS responder: a zone and health-checked records. */
public record GslbConfig(HostPort bind, String zone, List<Record> records) {

    public GslbConfig {
        records = List.copyOf(records);
    }

    public record Record(String name, int ttl, Policy policy, List<Target> targets) {
        public Record {
            targets = List.copyOf(targets);
        }
    }

    public enum Policy { FAILOVER, WEIGHTED, GEO, ALL_HEALTHY }

    /** @param check {@code http://...} or {@code tcp://host:port}; null: always healthy */
    public record Target(String address, String region, String check, List<String> geo, int weight) {
        public Target {
            geo = geo == null ? List.of() : List.copyOf(geo);
        }
    }
}
