package dev.gatehouse.node;

import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.proxy.ProxyListener;
import dev.gatehouse.time.Ticker;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Requests per second per listener, sampled once a second from the request counters. */
final class RequestRates {

    private record Sample(long requests, long nanos, double rate) {}

    private final Ticker ticker;
    private final Map<String, Sample> last = new ConcurrentHashMap<>();

    RequestRates(Ticker ticker) {
        this.ticker = ticker;
    }

    void sample(Collection<ProxyListener> listeners, Metrics metrics) {
        long now = ticker.nanos();
        for (ProxyListener l : listeners) {
            String name = l.config().name();
            long requests = metrics.listener(name).requests();
            Sample prev = last.get(name);
            double rate = prev == null || now == prev.nanos ? 0 : (requests - prev.requests) * 1e9 / (now - prev.nanos);
            last.put(name, new Sample(requests, now, rate));
        }
    }

    double rate(String listener) {
        Sample s = last.get(listener);
        return s == null ? 0 : Math.round(s.rate * 10) / 10.0;
    }
}
