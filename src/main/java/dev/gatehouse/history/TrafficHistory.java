package dev.gatehouse.history;

import dev.gatehouse.history.HistoryReport.EndpointStrip;
import dev.gatehouse.history.HistoryReport.Failover;
import dev.gatehouse.history.HistoryReport.ListenerSeries;
import dev.gatehouse.history.HistoryReport.Point;
import dev.gatehouse.history.HistoryReport.StateChange;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's recent past for the dashboard: a point per listener per sample, each endpoint's state changes, and the
 * latest failovers. Bounded: points and changes older than the window are dropped at each sample (and never more
 * than the window holds at the interval, should the clock jump), failovers beyond a fixed count. Control plane only:
 * written by one sampler and by the event publisher, read by the admin API.
 */
public final class TrafficHistory {

    /** A listener's numbers for one sample; p99 null when no request completed since the last one. */
    public record ListenerSample(String name, double requestsPerSecond, double errorsPerSecond, Double p99Ms) {}

    /** An endpoint's state at a sample. */
    public record EndpointSample(String pool, String address, String state) {}

    static final String REMOVED = "removed";

    private final long windowMs;
    private final long intervalMs;
    private final int maxPoints;
    private final int keepFailovers;
    private final Map<String, ArrayDeque<Point>> listeners = new LinkedHashMap<>();
    private record Key(String pool, String address) {}

    private final Map<Key, ArrayDeque<StateChange>> endpoints = new LinkedHashMap<>();
    private final ArrayDeque<Failover> failovers = new ArrayDeque<>();
    /** When the first sample was taken, -1 before it. */
    private long first = -1;
    private long now;

    public TrafficHistory(Duration window, Duration interval, int keepFailovers) {
        this.windowMs = window.toMillis();
        this.intervalMs = interval.toMillis();
        this.maxPoints = (int) (windowMs / intervalMs) + 1;
        this.keepFailovers = keepFailovers;
    }

    /** Records one sample taken at {@code at} (ms since the epoch), then drops what fell out of the window. */
    public synchronized void sample(long at, List<ListenerSample> listenerSamples, List<EndpointSample> endpointSamples) {
        first = first < 0 ? at : first;
        now = at;
        for (ListenerSample s : listenerSamples) {
            ArrayDeque<Point> points = listeners.computeIfAbsent(s.name(), n -> new ArrayDeque<>());
            points.addLast(new Point(at, round(s.requestsPerSecond(), 10), round(s.errorsPerSecond(), 10),
                    s.p99Ms() == null ? null : round(s.p99Ms(), 1000)));
            if (points.size() > maxPoints) {
                points.removeFirst();
            }
        }
        Map<Key, String> seen = new LinkedHashMap<>();
        for (EndpointSample e : endpointSamples) {
            seen.put(new Key(e.pool(), e.address()), e.state());
        }
        seen.forEach((key, state) -> change(endpoints.computeIfAbsent(key, k -> new ArrayDeque<>()), at, state));
        endpoints.forEach((key, changes) -> {
            if (!seen.containsKey(key)) {
                change(changes, at, REMOVED);
            }
        });
        trim(at - windowMs);
    }

    private void change(ArrayDeque<StateChange> changes, long at, String state) {
        if (changes.isEmpty() || !changes.getLast().state().equals(state)) {
            changes.addLast(new StateChange(at, state));
            if (changes.size() > maxPoints) {
                changes.removeFirst();
            }
        }
    }

    /** Drops points before {@code start}, and changes before the last one at or before it (the state then). */
    private void trim(long start) {
        listeners.values().removeIf(points -> {
            while (!points.isEmpty() && points.getFirst().t() < start) {
                points.removeFirst();
            }
            return points.isEmpty();
        });
        endpoints.values().removeIf(changes -> {
            while (changes.size() > 1 && secondAt(changes) <= start) {
                changes.removeFirst();
            }
            return changes.getFirst().t() <= start && changes.getFirst().state().equals(REMOVED);
        });
    }

    private static long secondAt(ArrayDeque<StateChange> changes) {
        var it = changes.iterator();
        it.next();
        return it.next().t();
    }

    /** Records a failover event (see {@link Failover}). */
    public synchronized void failover(long at, String kind, String subject, String detail) {
        failovers.addLast(new Failover(at, kind, subject, detail));
        if (failovers.size() > keepFailovers) {
            failovers.removeFirst();
        }
    }

    public synchronized HistoryReport report() {
        List<ListenerSeries> ls = new ArrayList<>();
        listeners.forEach((name, points) -> ls.add(new ListenerSeries(name, List.copyOf(points))));
        List<EndpointStrip> es = new ArrayList<>();
        endpoints.forEach((key, changes) -> es.add(new EndpointStrip(key.pool(), key.address(), List.copyOf(changes))));
        return new HistoryReport(Math.max(first, now - windowMs), now, intervalMs, windowMs, ls, es, List.copyOf(failovers));
    }

    private static double round(double value, int per) {
        return Math.round(value * per) / (double) per;
    }
}
