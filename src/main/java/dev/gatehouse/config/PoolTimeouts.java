package dev.gatehouse.config;

import java.time.Duration;

/**
 * Timeouts towards a pool's endpoints.
 *
 * @param connect TCP connect to an endpoint
 * @param request HTTP: from the request being sent until the whole response head arrives
 * @param idle an upstream connection with nothing in flight, or a TCP relay with no bytes either way
 */
public record PoolTimeouts(Duration connect, Duration request, Duration idle) {}
