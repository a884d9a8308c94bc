package dev.gatehouse.history;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.util.List;

/**
 * What {@code GET /api/v1/history} answers: the node's recent traffic, endpoint states and failovers, for the
 * dashboard's graphs. Times are milliseconds since the epoch; a point or a state change is written as a JSON array
 * to keep a 10-minute answer small.
 *
 * @param start the oldest time the history covers: the first sample's, or the window's start once it is full
 * @param now when the latest sample was taken (0: none yet)
 * @param intervalMs how often samples are taken
 * @param windowMs how far back points and state changes are kept
 * @param failovers the latest failovers, oldest first; kept past the window (up to a fixed count)
 */
public record HistoryReport(long start, long now, long intervalMs, long windowMs, List<ListenerSeries> listeners,
        List<EndpointStrip> endpoints, List<Failover> failovers) {

    /** One listener's points; a listener has points only for the seconds it was bound here. */
    public record ListenerSeries(String name, List<Point> points) {}

    /**
     * One second of a listener: {@code [t, requests/s, 5xx/s, p99 ms]}; p99 is null when no request completed in it.
     * The p99 is interpolated within the latency histogram's bucket (see {@link Quantiles}).
     */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    public record Point(long t, double requestsPerSecond, double errorsPerSecond, Double p99Ms) {}

    /**
     * One endpoint's states over the window: each change as {@code [t, state]}, the first one at or before the
     * window's start; {@code removed} when the endpoint left the config.
     */
    public record EndpointStrip(String pool, String address, List<StateChange> states) {}

    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    public record StateChange(long t, String state) {}

    /**
     * A VIP changing hands here, or the threat of it.
     *
     * @param kind failover (acquired or released), lease_lost or split_suspected
     * @param subject the VIP
     * @param detail what happened and why, as the event stream says it
     */
    public record Failover(long t, String kind, String subject, String detail) {}
}
