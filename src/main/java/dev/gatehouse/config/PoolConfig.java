package dev.gatehouse.config;

import dev.gatehouse.tls.UpstreamTlsSettings;
import java.time.Duration;
import java.util.List;

/**
 * A pool of endpoints and how traffic is spread over them and protected.
 *
 * @param hashOn what hashing policies hash (SOURCE_IP when not set)
 * @param stickyCookie cookie name for affinity, or null
 * @param health null: no active checks, endpoints count as healthy
 * @param outlier null: no passive ejection
 * @param panicThreshold fraction 0..1; below that share healthy, traffic goes to every endpoint (0: never panic)
 * @param slowStart ramp time of a recovered endpoint's weight (ZERO: none)
 * @param retries how many other endpoints a failed connect (or idempotent request) is tried on
 * @param proxyProtocol send a PROXY protocol v2 header to endpoints on each new connection
 * @param stick null: no stick table
 * @param zoneAware how the pool prefers the node's zone (applies only when the node has a zone the pool's endpoints have)
 * @param tls null: cleartext to the endpoints
 */
public record PoolConfig(
        String name,
        Balance balance,
        HashOn hashOn,
        String stickyCookie,
        List<EndpointConfig> endpoints,
        HealthConfig health,
        OutlierConfig outlier,
        double panicThreshold,
        Duration slowStart,
        Duration drainTimeout,
        int retries,
        PoolTimeouts timeouts,
        boolean proxyProtocol,
        StickConfig stick,
        ZoneAwareConfig zoneAware,
        UpstreamTlsSettings tls) {

    public PoolConfig {
        endpoints = List.copyOf(endpoints);
        zoneAware = zoneAware == null ? ZoneAwareConfig.DEFAULT : zoneAware;
    }

    /** A pool in cleartext with the default zone preference. */
    public PoolConfig(String name, Balance balance, HashOn hashOn, String stickyCookie, List<EndpointConfig> endpoints,
            HealthConfig health, OutlierConfig outlier, double panicThreshold, Duration slowStart, Duration drainTimeout,
            int retries, PoolTimeouts timeouts, boolean proxyProtocol, StickConfig stick) {
        this(name, balance, hashOn, stickyCookie, endpoints, health, outlier, panicThreshold, slowStart, drainTimeout, retries,
                timeouts, proxyProtocol, stick, ZoneAwareConfig.DEFAULT, null);
    }
}
