package dev.gatehouse.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Counters of one listener. The data plane only touches adders; the registry reads them at scrape time.
 * {@code bytesIn} is what clients sent, {@code bytesOut} what endpoints sent back (TCP listeners).
 */
public final class ListenerStats {

    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder clientCapRefused = new LongAdder();
    private final LongAdder untracked = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder[] byClass = new LongAdder[6];
    private final AtomicInteger active = new AtomicInteger();
    private final Timer latency;
    /** HTTP requests the proxy answered itself instead of forwarding, by reason; a reason's counter appears with its first refusal. */
    private final ConcurrentMap<String, LongAdder> refusedRequests = new ConcurrentHashMap<>();
    private final Function<String, LongAdder> newRefusalCounter;

    /** Stats that no registry exports (tools and tests). */
    public ListenerStats() {
        this(new SimpleMeterRegistry(), "unregistered");
    }

    ListenerStats(MeterRegistry registry, String listener) {
        count(registry, "gatehouse_listener_connections", "Client connections accepted", accepted, listener);
        count(registry, "gatehouse_listener_refused", "Client connections refused by a limit", refused, listener);
        count(registry, "gatehouse_listener_rate_limited", "Requests (http) or connections (tcp) refused by their client's rate limit",
                rateLimited, listener);
        count(registry, "gatehouse_listener_client_cap_refused", "Client connections refused by the per-client connection cap",
                clientCapRefused, listener);
        count(registry, "gatehouse_listener_untracked_clients", "Client connections let through without per-client limits: too many clients tracked",
                untracked, listener);
        count(registry, "gatehouse_listener_received_bytes", "Bytes received from clients (tcp)", bytesIn, listener);
        count(registry, "gatehouse_listener_sent_bytes", "Bytes sent to clients (tcp)", bytesOut, listener);
        Gauge.builder("gatehouse_listener_active_connections", active, AtomicInteger::get)
                .description("Client connections open now").tag("listener", listener).register(registry);
        for (int c = 1; c <= 5; c++) {
            byClass[c] = new LongAdder();
            FunctionCounter.builder("gatehouse_listener_requests", byClass[c], LongAdder::sum)
                    .description("Requests answered to clients, by status class")
                    .tags("listener", listener, "class", c + "xx").register(registry);
        }
        latency = Metrics.latency(registry, "gatehouse_listener_latency", "Time from request head received to response complete",
                "listener", listener);
        newRefusalCounter = reason -> {
            LongAdder adder = new LongAdder();
            FunctionCounter.builder("gatehouse_listener_refused_requests", adder, LongAdder::sum)
                    .description("HTTP requests refused by the proxy (malformed, too large, unsupported, timed out, unrouted), by reason")
                    .tags("listener", listener, "reason", reason).register(registry);
            return adder;
        };
    }

    private static void count(MeterRegistry registry, String name, String help, LongAdder adder, String listener) {
        FunctionCounter.builder(name, adder, LongAdder::sum).description(help).tag("listener", listener).register(registry);
    }

    /**
     * Counts a new client connection and admits it when fewer than {@code limit} are open (0: no limit).
     * An admitted connection must be {@link #closed()} exactly once.
     */
    public boolean admit(int limit) {
        accepted.increment();
        if (active.incrementAndGet() > limit && limit > 0) {
            active.decrementAndGet();
            refused.increment();
            return false;
        }
        return true;
    }

    public void closed() {
        active.decrementAndGet();
    }

    /** Client connections open now. */
    public int active() {
        return active.get();
    }

    public long accepted() {
        return accepted.sum();
    }

    public long refusedByLimit() {
        return refused.sum();
    }

    /** A request (http) or connection (tcp) over its client's rate. */
    public void refuseByRate() {
        rateLimited.increment();
    }

    /** A connection over its client's connection cap. */
    public void refuseByClientCap() {
        clientCapRefused.increment();
    }

    /** A connection of a client that could not be tracked. */
    public void untrackedClient() {
        untracked.increment();
    }

    /** An HTTP request answered by the proxy itself for {@code reason}, a short stable label such as {@code uri_too_long}. */
    public void refusedRequest(String reason) {
        refusedRequests.computeIfAbsent(reason, newRefusalCounter).increment();
    }

    /** HTTP requests refused for {@code reason} so far. */
    public long refusedRequests(String reason) {
        LongAdder adder = refusedRequests.get(reason);
        return adder == null ? 0 : adder.sum();
    }

    public long refusedByRate() {
        return rateLimited.sum();
    }

    public long refusedByClientCap() {
        return clientCapRefused.sum();
    }

    public void addBytesIn(long n) {
        bytesIn.add(n);
    }

    public void addBytesOut(long n) {
        bytesOut.add(n);
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long bytesOut() {
        return bytesOut.sum();
    }

    /** Requests answered so far (HTTP); the admin API derives a rate from it. */
    public long requests() {
        return requests.sum();
    }

    /** Requests answered with a 5xx status so far. */
    public long errors() {
        return byClass[5].sum();
    }

    /** The latency histogram as it stands: cumulative bucket counts since the start (control plane; it allocates). */
    public HistogramSnapshot latencySnapshot() {
        return latency.takeSnapshot();
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
