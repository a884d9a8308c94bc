package dev.gatehouse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads {@code pools:}, a mapping from pool name to pool. */
final class PoolsSection {

    private static final PoolTimeouts DEFAULT_TIMEOUTS =
            new PoolTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60));

    private PoolsSection() {}

    /**
     * @return every pool by name in file order; a pool whose body has errors maps to null, so that its name still
     *     counts when references to it are checked
     */
    static Map<String, PoolConfig> read(YamlNode pools, Path baseDir) {
        Map<String, PoolConfig> result = new LinkedHashMap<>();
        if (pools == null || !pools.expectMapping()) {
            return result;
        }
        pools.fields().forEach((name, body) -> {
            try {
                Names.identifier(name);
            } catch (IllegalArgumentException e) {
                body.keyError("pool name " + e.getMessage());
            }
            result.put(name, pool(name, body, baseDir));
        });
        return result;
    }

    private static PoolConfig pool(String name, YamlNode p, Path baseDir) {
        if (!p.expectKeys("balance", "hash_on", "sticky_cookie", "endpoints", "health", "outlier", "panic_threshold",
                "slow_start", "drain_timeout", "retries", "timeouts", "proxy_protocol", "stick", "zone_aware", "tls")) {
            return null;
        }
        Balance balance = p.get("balance", Values.oneOf(Balance.class), Balance.ROUND_ROBIN);
        HashOn hashOn = p.get("hash_on", PoolsSection::hashOn, HashOn.SOURCE_IP);
        // Spelling out the default (source_ip) is harmless anywhere; another key would silently do nothing.
        if (p.has("hash_on") && !balance.hashing() && !p.has("stick") && !hashOn.equals(HashOn.SOURCE_IP)) {
            p.get("hash_on").keyError("hash_on only applies to source_hash, maglev, ring_hash or a pool with stick (balance is "
                    + Values.yamlName(balance) + ")");
        }
        List<EndpointConfig> endpoints = endpoints(p);
        boolean proxyProtocol = p.get("proxy_protocol", PoolsSection::proxyProtocol, false);
        return new PoolConfig(
                name,
                balance,
                hashOn,
                p.get("sticky_cookie", Names::token, null),
                endpoints,
                HealthSection.health(p.get("health")),
                HealthSection.outlier(p.get("outlier")),
                p.get("panic_threshold", Percentages::parse, 0.5),
                p.get("slow_start", Values.DURATION, Duration.ZERO),
                p.get("drain_timeout", Values.DURATION, Duration.ofSeconds(30)),
                p.get("retries", Values.integer(0, 10), 2),
                timeouts(p.get("timeouts")),
                proxyProtocol,
                stick(p.get("stick")),
                zoneAware(p.get("zone_aware"), endpoints),
                PoolTlsSection.read(p.get("tls"), endpoints, proxyProtocol, baseDir));
    }

    /** Absent: on at 70 %; it matters only on a node with {@code node.zone}, so a pool without zones may not set it. */
    private static ZoneAwareConfig zoneAware(YamlNode z, List<EndpointConfig> endpoints) {
        if (z == null || !z.expectKeys("enabled", "min_healthy")) {
            return ZoneAwareConfig.DEFAULT;
        }
        if (endpoints.stream().allMatch(e -> e.zone() == null)) {
            z.keyError("no endpoint of this pool has a zone, so there is nothing to prefer");
        }
        return new ZoneAwareConfig(
                z.get("enabled", Values.BOOL, ZoneAwareConfig.DEFAULT.enabled()),
                z.get("min_healthy", Percentages::parse, ZoneAwareConfig.DEFAULT.minHealthy()));
    }

    /** {@code stick: {}} turns the table on with the defaults. */
    private static StickConfig stick(YamlNode s) {
        if (s == null || !s.expectKeys("expire", "size")) {
            return null;
        }
        return new StickConfig(
                s.get("expire", Values.POSITIVE_DURATION, StickConfig.DEFAULT_EXPIRE),
                s.get("size", Values.integer(1, StickConfig.MAX_SIZE), StickConfig.DEFAULT_SIZE));
    }

    private static List<EndpointConfig> endpoints(YamlNode pool) {
        List<EndpointConfig> endpoints = new ArrayList<>();
        Duplicates<HostPort> addresses = new Duplicates<>("endpoint");
        for (YamlNode e : pool.requireItems("endpoints", "endpoint")) {
            if (!e.expectKeys("address", "weight", "zone")) {
                continue;
            }
            HostPort address = e.require("address", Addresses::hostPort);
            addresses.check(address, e.get("address"));
            endpoints.add(new EndpointConfig(address, e.get("weight", Values.integer(1, 1000), 1), e.get("zone", Names::identifier, null)));
        }
        return endpoints;
    }

    private static PoolTimeouts timeouts(YamlNode t) {
        if (t == null || !t.expectKeys("connect", "request", "idle")) {
            return DEFAULT_TIMEOUTS;
        }
        return new PoolTimeouts(
                t.get("connect", Values.POSITIVE_DURATION, DEFAULT_TIMEOUTS.connect()),
                t.get("request", Values.POSITIVE_DURATION, DEFAULT_TIMEOUTS.request()),
                t.get("idle", Values.POSITIVE_DURATION, DEFAULT_TIMEOUTS.idle()));
    }

    /** {@code source_ip}, {@code path}, {@code header:NAME} or {@code cookie:NAME}. */
    static HashOn hashOn(String text) {
        int colon = text.indexOf(':');
        String kind = colon < 0 ? text : text.substring(0, colon);
        switch (kind) {
            case "source_ip", "path" -> {
                if (colon < 0) {
                    return kind.equals("path") ? new HashOn(HashOn.Kind.PATH, null) : HashOn.SOURCE_IP;
                }
            }
            case "header" -> {
                if (colon > 0) {
                    return new HashOn(HashOn.Kind.HEADER, Names.token(text.substring(colon + 1)));
                }
            }
            case "cookie" -> {
                if (colon > 0) {
                    return new HashOn(HashOn.Kind.COOKIE, Names.token(text.substring(colon + 1)));
                }
            }
            default -> { }
        }
        throw new IllegalArgumentException("must be source_ip | path | header:NAME | cookie:NAME, got '" + text + "'");
    }

    private static boolean proxyProtocol(String text) {
        return switch (text) {
            case "v2" -> true;
            case "none" -> false;
            default -> throw new IllegalArgumentException("must be v2 or none, got '" + text + "'");
        };
    }
}
