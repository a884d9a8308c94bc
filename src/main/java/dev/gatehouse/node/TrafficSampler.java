package dev.gatehouse.node;

import dev.gatehouse.admin.Events;
import dev.gatehouse.config.Protocol;
import dev.gatehouse.health.PoolHealth;
import dev.gatehouse.history.Quantiles;
import dev.gatehouse.history.TrafficHistory;
import dev.gatehouse.metrics.ListenerStats;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.proxy.ProxyListener;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.time.WallClock;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Once a second, on the control plane: each bound HTTP listener's requests/s, 5xx/s and p99 latency since the last
 * sample, and every endpoint's state, into the {@link TrafficHistory} the dashboard draws; the request rate is also
 * what the status API reports. Reads only the counters and the latency histogram the data plane already keeps.
 * Failover events reach the history as they are published.
 */
final class TrafficSampler {

    private record Last(long requests, long errors, long nanos, long latencyCount, CountAtBucket[] buckets, double rate) {}

    private final Ticker ticker;
    private final WallClock clock;
    private final Metrics metrics;
    private final Supplier<Collection<ProxyListener>> listeners;
    private final Supplier<Collection<PoolHealth>> pools;
    private final TrafficHistory history;
    private final Map<String, Last> last = new ConcurrentHashMap<>();

    TrafficSampler(Ticker ticker, WallClock clock, Metrics metrics, Supplier<Collection<ProxyListener>> listeners,
            Supplier<Collection<PoolHealth>> pools, TrafficHistory history, Events events) {
        this.ticker = ticker;
        this.clock = clock;
        this.metrics = metrics;
        this.listeners = listeners;
        this.pools = pools;
        this.history = history;
        events.subscribe(e -> {
            if (e.type().equals("failover")) {
                history.failover(e.at().toEpochMilli(), e.kind() == null ? e.type() : e.kind().label(), e.subject(), e.detail());
            }
        });
    }

    void sample() {
        long now = ticker.nanos();
        List<TrafficHistory.ListenerSample> samples = new ArrayList<>();
        Set<String> bound = new HashSet<>();
        for (ProxyListener l : listeners.get()) {
            String name = l.config().name();
            bound.add(name);
            ListenerStats stats = metrics.listener(name);
            long requests = stats.requests();
            long errors = stats.errors();
            HistogramSnapshot latency = stats.latencySnapshot();
            Last prev = last.get(name);
            double rate = 0;
            // a TCP listener has no requests, status or latency to draw (its connections are in the status)
            if (prev != null && now > prev.nanos && l.config().protocol() == Protocol.HTTP) {
                double seconds = (now - prev.nanos) / 1e9;
                rate = (requests - prev.requests) / seconds;
                samples.add(new TrafficHistory.ListenerSample(name, rate, (errors - prev.errors) / seconds,
                        Quantiles.millis(prev.buckets, latency.histogramCounts(), latency.count() - prev.latencyCount, 0.99)));
            }
            last.put(name, new Last(requests, errors, now, latency.count(), latency.histogramCounts(), rate));
        }
        last.keySet().retainAll(bound); // a listener unbound starts again from a baseline when it is bound again
        List<TrafficHistory.EndpointSample> endpoints = new ArrayList<>();
        for (PoolHealth h : pools.get()) {
            for (var e : h.pool().view().endpoints()) {
                endpoints.add(new TrafficHistory.EndpointSample(h.pool().name(), e.endpoint().address(), e.state().label()));
            }
        }
        history.sample(clock.millis(), samples, endpoints);
    }

    /** A listener's requests per second over the last sample, to a tenth. */
    double rate(String listener) {
        Last s = last.get(listener);
        return s == null ? 0 : Math.round(s.rate * 10) / 10.0;
    }
}
