package dev.gatehouse.health;

import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.OutcomeListener;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Consumer;

/**
 * Counts consecutive failures per endpoint from the data plane. {@link #success} and
 * {@link #failure} run on event loops: no locks, no allocation, one atomic per call. Only the
 * failure that reaches the threshold hands the endpoint to the control executor, which decides
 * whether to eject it and then calls {@link #reset}.
 */
final class OutlierDetector implements OutcomeListener {

    private final List<Endpoint> endpoints;
    private final int threshold;
    private final AtomicIntegerArray failures;
    private final Runnable[] handoffs;
    private final Executor control;

    /** @param threshold at least 1 (validated with the pool config) */
    OutlierDetector(List<Endpoint> endpoints, int threshold, Executor control, Consumer<Endpoint> onThreshold) {
        this.endpoints = List.copyOf(endpoints);
        this.threshold = threshold;
        this.failures = new AtomicIntegerArray(endpoints.size());
        this.control = control;
        // Built once so that reaching the threshold allocates nothing either.
        this.handoffs = new Runnable[endpoints.size()];
        for (int i = 0; i < handoffs.length; i++) {
            Endpoint endpoint = this.endpoints.get(i);
            handoffs[i] = () -> onThreshold.accept(endpoint);
        }
    }

    @Override
    public void success(Endpoint endpoint) {
        int slot = slot(endpoint);
        // Read first: a healthy endpoint's counter stays 0 and its cache line is not written.
        if (slot >= 0 && failures.get(slot) != 0) {
            failures.set(slot, 0);
        }
    }

    @Override
    public void failure(Endpoint endpoint) {
        int slot = slot(endpoint);
        // Exactly one caller sees the threshold; later failures do nothing until reset.
        if (slot >= 0 && failures.incrementAndGet(slot) == threshold) {
            control.execute(handoffs[slot]);
        }
    }

    void reset(Endpoint endpoint) {
        int slot = slot(endpoint);
        if (slot >= 0) {
            failures.set(slot, 0);
        }
    }

    int consecutiveFailures(Endpoint endpoint) {
        int slot = slot(endpoint);
        return slot >= 0 ? failures.get(slot) : 0;
    }

    /** The endpoint's counter index; -1 for an endpoint of another pool (or a replaced one after a reload). */
    private int slot(Endpoint endpoint) {
        int index = endpoint.index();
        return index >= 0 && index < handoffs.length && endpoints.get(index) == endpoint ? index : -1;
    }
}
