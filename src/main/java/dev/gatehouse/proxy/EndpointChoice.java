package dev.gatehouse.proxy;

import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.route.ResolvedPool;
import dev.gatehouse.stick.StickTable;
import java.util.BitSet;

/**
 * Which endpoints one exchange goes to, whatever carries it (an HTTP request, a TCP connection, later an HTTP/2
 * stream): the stick table's endpoint for its affinity key or the balancer's pick (recorded in the stick table),
 * then, after a failure, endpoints not tried yet while the pool's {@code retries} allow; and every outcome reported
 * to the pool's outcome listener. Confined to one event loop; {@link #reset} makes it ready for the next exchange.
 */
public final class EndpointChoice {

    private final BitSet tried;
    private ResolvedPool pool;
    private long hash;
    private long affinityKey;
    private int attempts;
    private Endpoint last;

    public EndpointChoice() {
        this(new BitSet());
    }

    /** @param tried endpoints (by {@link Endpoint#index()}) not to pick; every endpoint tried is added to it */
    EndpointChoice(BitSet tried) {
        this.tried = tried;
    }

    /**
     * Starts a new exchange on {@code pool}.
     *
     * @param hash what a hashing balancer picks by
     * @param affinityKey what the stick table goes by; {@link StickTable#NONE} for none
     */
    public void reset(ResolvedPool pool, long hash, long affinityKey) {
        this.pool = pool;
        this.hash = hash;
        this.affinityKey = affinityKey;
        this.attempts = 0;
        this.last = null;
        tried.clear();
    }

    public ResolvedPool pool() {
        return pool;
    }

    /** Attempts made so far in this exchange. */
    public int attempts() {
        return attempts;
    }

    /** The endpoint the pool's stick table holds for the affinity key, if it takes traffic now; else null. */
    public Endpoint stuck() {
        StickTable stick = pool.stick();
        return stick == null || affinityKey == StickTable.NONE ? null
                : EndpointPicker.serving(pool.view(), stick.lookup(affinityKey));
    }

    /** The balancer's pick among the endpoints not tried yet, recorded in the stick table; null when none is left. */
    public Endpoint pick() {
        Endpoint picked = EndpointPicker.pick(pool.view(), hash, tried);
        StickTable stick = pool.stick();
        if (picked != null && stick != null && affinityKey != StickTable.NONE) {
            stick.record(affinityKey, picked.key());
        }
        return picked;
    }

    /** The endpoint of this exchange's latest attempt; null before the first. */
    public Endpoint last() {
        return last;
    }

    /** An attempt on {@code endpoint} starts: it counts against the retries, and is not picked again. */
    public void attempt(Endpoint endpoint) {
        attempts++;
        last = endpoint;
        tried.set(endpoint.index());
    }

    /** The last attempt failed through no fault of its endpoint's (a kept-alive connection closed as it was used). */
    public void refund() {
        attempts--;
    }

    /** Whether another endpoint may be tried after the attempts made so far. */
    public boolean mayRetry() {
        return attempts <= pool.config().retries();
    }

    public void succeeded(Endpoint endpoint) {
        pool.outcomes().success(endpoint);
    }

    /** A connect failure, a reset, a timeout or a 5xx from the endpoint. */
    public void failed(Endpoint endpoint) {
        pool.outcomes().failure(endpoint);
    }
}
