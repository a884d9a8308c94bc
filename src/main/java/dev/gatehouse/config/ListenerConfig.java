package dev.gatehouse.config;

import dev.gatehouse.tls.TlsSettings;
import java.time.Duration;
import java.util.List;

/**
 * One listener. HTTP listeners route by {@code routes}; TCP listeners send everything to {@code pool}.
 *
 * @param routes HTTP only, first match wins; empty for TCP
 * @param pool TCP only; null for HTTP
 * @param headerReadTimeout HTTP: how long a client may take to send a complete request head (408 after)
 * @param idleTimeout how long a client connection may sit with nothing in flight
 * @param maxHeaderSize HTTP: the largest request head accepted (431 above it)
 * @param tls null: cleartext
 * @param accessLog null: no access log
 * @param h2c HTTP without TLS: a client that opens with HTTP/2's connection preface is served HTTP/2 (prior knowledge)
 */
public record ListenerConfig(
        String name,
        Bind bind,
        Protocol protocol,
        List<RouteConfig> routes,
        String pool,
        LimitsConfig limits,
        Duration headerReadTimeout,
        Duration idleTimeout,
        int maxHeaderSize,
        TlsSettings tls,
        AccessLogConfig accessLog,
        boolean h2c) {

    public ListenerConfig {
        routes = List.copyOf(routes);
    }
}
