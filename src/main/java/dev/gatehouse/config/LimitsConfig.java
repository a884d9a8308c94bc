package dev.gatehouse.config;

/**
 * Connection and rate limits of a listener.
 *
 * @param maxConnections concurrent client connections on the listener (0: unlimited)
 * @param perClient per client IP; null when not set
 */
public record LimitsConfig(int maxConnections, PerClient perClient) {

    public static final LimitsConfig NONE = new LimitsConfig(0, null);

    /** Per client IP: a token bucket on requests and a cap on concurrent connections (0: unlimited). */
    public record PerClient(double requestsPerSecond, int burst, int connections) {}
}
