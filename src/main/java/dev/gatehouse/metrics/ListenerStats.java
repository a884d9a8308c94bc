package dev.gatehouse.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Per listener: connections, requests by status class, requests the proxy answered itself, latency. */
public final class ListenerStats {

    private final AtomicInteger active = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final Counter accepted;
    private final Counter refused;
    private final Counter[] byClass = new Counter[6];
    private final Timer latency;

    ListenerStats(PrometheusMeterRegistry registry, String listener) {
        accepted = Metrics.counter(registry, "gatehouse_listener_connections", "Client connections accepted", "listener", listener);
        refused = Metrics.counter(registry, "gatehouse_listener_refused", "Client connections refused by a limit", "listener", listener);
        Gauge.builder("gatehouse_listener_active_connections", active, AtomicInteger::get)
                .description("Client connections open now").tag("listener", listener).register(registry);
        for (int c = 1; c <= 5; c++) {
            byClass[c] = Metrics.counter(registry, "gatehouse_listener_requests", "Requests answered to clients, by status class",
                    "listener", listener, "class", c + "xx");
        }
        latency = Metrics.latency(registry, "gatehouse_listener_latency", "Time from request head received to response complete",
                "listener", listener);
    }

    public void opened() {
        accepted.increment();
        active.incrementAndGet();
    }

    public void closed() {
        active.decrementAndGet();
    }

    public void refused() {
        refused.increment();
    }

    public int active() {
        return active.get();
    }

    /** Requests answered so far; the admin API derives a rate from it. */
    public long requests() {
        return requests.sum();
    }

    public void response(int status, long nanos) {
        requests.increment();
        int c = status / 100;
        if (c >= 1 && c <= 5) {
            byClass[c].increment();
        }
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }
}
