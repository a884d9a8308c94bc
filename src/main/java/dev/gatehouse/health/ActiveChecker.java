package dev.gatehouse.health;

import dev.gatehouse.config.HealthConfig;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.proxy.ProxyProtocolV2;
import dev.gatehouse.tls.UpstreamTls;
import java.time.Duration;

/**
 * Probes one endpoint. Implementations block (plain sockets) and are meant for virtual threads on
 * the control plane, never for an event loop. Thread-safe: one checker serves every endpoint of a pool.
 */
public interface ActiveChecker {

    CheckResult check(Endpoint endpoint);

    /**
     * The checker a pool's health config asks for; validates the config, naming the bad value.
     *
     * @param sendProxy begin every check connection with a PROXY v2 LOCAL header (the pool has {@code proxy_protocol: v2},
     *     so its endpoints expect one on every connection)
     */
    static ActiveChecker of(HealthConfig config, boolean sendProxy) {
        return of(config, sendProxy, null);
    }

    /**
     * As {@link #of(HealthConfig, boolean)} for a pool with TLS towards its endpoints: every check completes a
     * handshake as the data plane's would (an http check then speaks HTTPS).
     *
     * @param tls the pool's; null for cleartext
     */
    static ActiveChecker of(HealthConfig config, boolean sendProxy, UpstreamTls tls) {
        return of(config, sendProxy ? ProxyProtocolV2.local() : null, tls == null ? null : Tls.of(tls));
    }

    /**
     * An HTTP check over TLS (SNI from {@code config.host()}). The certificate is not verified: the check asks whether
     * the target serves, not who it is, and targets are addressed by IP, so no name could be checked anyway.
     */
    static ActiveChecker https(HealthConfig config) {
        if (config != null && config.type() != HealthConfig.Type.HTTP) {
            throw new IllegalArgumentException("an HTTPS check needs an http health config, got " + config);
        }
        return of(config, null, Tls.UNVERIFIED);
    }

    /** @param tls wraps each check connection in TLS; null for plain */
    private static ActiveChecker of(HealthConfig config, byte[] preamble, Tls tls) {
        if (config == null) {
            throw new IllegalArgumentException("health config must not be null");
        }
        if (config.type() == null) {
            throw new IllegalArgumentException("health.type must be tcp or http, got null");
        }
        Duration timeout = config.timeout();
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("health.timeout must be positive, got " + timeout);
        }
        int timeoutMillis = (int) Math.max(1, timeout.toMillis());
        return switch (config.type()) {
            case TCP -> new TcpChecker(timeoutMillis, preamble, tls);
            case HTTP -> new HttpChecker(config, timeoutMillis, preamble, tls);
        };
    }
}
