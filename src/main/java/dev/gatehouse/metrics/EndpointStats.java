package dev.gatehouse.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;

/** Per pool endpoint: requests by status class, upstream errors by kind, latency, ejections. */
public final class EndpointStats {

    private final Counter[] byClass = new Counter[6];
    private final Counter connectErrors;
    private final Counter timeouts;
    private final Counter resets;
    private final Counter ejections;
    private final Timer latency;

    EndpointStats(PrometheusMeterRegistry registry, String pool, String address) {
        for (int c = 1; c <= 5; c++) {
            byClass[c] = Metrics.counter(registry, "gatehouse_upstream_requests", "Requests answered by an endpoint, by status class",
                    "pool", pool, "endpoint", address, "class", c + "xx");
        }
        connectErrors = error(registry, pool, address, "connect");
        timeouts = error(registry, pool, address, "timeout");
        resets = error(registry, pool, address, "reset");
        ejections = Metrics.counter(registry, "gatehouse_endpoint_ejections", "Passive outlier ejections", "pool", pool, "endpoint", address);
        latency = Metrics.latency(registry, "gatehouse_upstream_latency", "Time from request sent to response complete",
                "pool", pool, "endpoint", address);
    }

    private static Counter error(PrometheusMeterRegistry registry, String pool, String address, String kind) {
        return Metrics.counter(registry, "gatehouse_upstream_errors", "Failed exchanges with an endpoint, by kind",
                "pool", pool, "endpoint", address, "kind", kind);
    }

    public void response(int status, long nanos) {
        int c = status / 100;
        if (c >= 1 && c <= 5) {
            byClass[c].increment();
        }
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Responses the endpoint gave, every status class. */
    public long requests() {
        long sum = 0;
        for (int c = 1; c <= 5; c++) {
            sum += (long) byClass[c].count();
        }
        return sum;
    }

    public void connectError() {
        connectErrors.increment();
    }

    public void timeout() {
        timeouts.increment();
    }

    public void reset() {
        resets.increment();
    }

    public void ejected() {
        ejections.increment();
    }
}
