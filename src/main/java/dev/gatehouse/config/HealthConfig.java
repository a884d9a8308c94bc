package dev.gatehouse.config;

import java.time.Duration;

/**
 * Active health check of a pool's endpoints.
 *
 * @param path HTTP only: the request path
 * @param expectLow lowest status that counts as healthy (HTTP only)
 * @param expectHigh highest status that counts as healthy (HTTP only)
 * @param host HTTP only: the Host header sent (null: the endpoint address)
 * @param rise consecutive passes that make an unhealthy endpoint healthy
 * @param fall consecutive failures that make a healthy endpoint unhealthy
 */
public record HealthConfig(
        Type type,
        String path,
        int expectLow,
        int expectHigh,
        String host,
        Duration interval,
        Duration timeout,
        int rise,
        int fall) {

    public enum Type { TCP, HTTP }
}
