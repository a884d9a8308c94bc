package dev.gatehouse.accesslog;

import java.net.InetSocketAddress;

/**
 * One access-log line, as the event loop hands it over: only values it already holds, formatted later by the
 * writer's thread. Durations are nanoseconds, -1 when the phase did not happen (no connect on a reused connection,
 * no first byte from a server that never answered).
 *
 * @param route the index of the route in the listener's {@code routes:}; -1 for none (TCP, or refused before routing)
 * @param pool null when none was chosen
 * @param endpoint the last endpoint tried, as {@code host:port}; null when none
 * @param status the HTTP status sent to the client; 0 for a TCP connection
 * @param retries attempts beyond the first
 */
public record Entry(
        long timeMillis,
        InetSocketAddress client,
        String listener,
        int route,
        String pool,
        String endpoint,
        int status,
        long bytesIn,
        long bytesOut,
        long connectNanos,
        long firstByteNanos,
        long totalNanos,
        int retries,
        Termination termination) {}
