package dev.gatehouse.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The process's metrics, exported in Prometheus text format. Meters are looked up once per
 * listener/endpoint and cached, so the data plane only increments counters it already holds.
 */
public final class Metrics {

    /** Latency buckets: fine below 10 ms where a proxy lives, coarse above. */
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)
    };

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentMap<String, ListenerStats> listeners = new ConcurrentHashMap<>();
    /** Pool name, then endpoint address: looked up on every request, so no key is built for it. */
    private final ConcurrentMap<String, ConcurrentMap<String, EndpointStats>> endpoints = new ConcurrentHashMap<>();

    private final List<Supplier<Number>> counterSources = new CopyOnWriteArrayList<>();

    public Metrics() {
        // two of Micrometer's processor meters break Prometheus' naming rules (promtool check metrics): CPU time in
        // "ns" (an abbreviated unit, where Prometheus wants seconds) and a gauge ending in "_count"
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        });
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9).baseUnit("seconds")
                    .description("CPU time used by this process").register(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    public ListenerStats listener(String name) {
        return listeners.computeIfAbsent(name, n -> new ListenerStats(registry, n));
    }

    public EndpointStats endpoint(String pool, String address) {
        ConcurrentMap<String, EndpointStats> inPool = endpoints.get(pool);
        if (inPool == null) {
            inPool = endpoints.computeIfAbsent(pool, p -> new ConcurrentHashMap<>());
        }
        EndpointStats stats = inPool.get(address);
        return stats != null ? stats : inPool.computeIfAbsent(address, a -> new EndpointStats(registry, pool, a));
    }

    /** Registers a gauge read from {@code value} at scrape time. */
    public void gauge(String name, String help, Supplier<Number> value, String... tags) {
        Gauge.builder(name, value).description(help).tags(tags).strongReference(true).register(registry);
    }

    /** Registers a counter read from {@code value} at scrape time (which must never decrease); its name gets {@code _total}. */
    public void counter(String name, String help, Supplier<Number> value, String... tags) {
        counterSources.add(value); // a function counter holds its source weakly
        FunctionCounter.builder(name, value, v -> v.get().doubleValue()).description(help).tags(tags).register(registry);
    }

    /** Registers, or finds, a timer with the buckets above. */
    public Timer latency(String name, String help, String... tags) {
        return latency(registry, name, help, tags);
    }

    static Timer latency(MeterRegistry registry, String name, String help, String... tags) {
        return Timer.builder(name).description(help).tags(tags).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }

    static Counter counter(MeterRegistry registry, String name, String help, String... tags) {
        return Counter.builder(name).description(help).tags(tags).register(registry);
    }
}
