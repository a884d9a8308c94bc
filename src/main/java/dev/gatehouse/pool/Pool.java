package dev.gatehouse.pool;

import dev.gatehouse.config.PoolConfig;
import dev.gatehouse.stick.StickTable;
import dev.gatehouse.tls.UpstreamTls;
import java.util.List;

/**
 * A pool at run time: its config, its endpoints in config order, and the latest published
 * {@link PoolView}. The health machinery calls {@link #publish(PoolView)} and listens to outcomes; the node
 * copies the pool into the listeners' route tables on each change it is told of ({@link #onChange}), so the
 * data plane never reads these fields.
 */
public final class Pool {

    private final PoolConfig config;
    private final List<Endpoint> endpoints;
    private final UpstreamTls tls;
    private volatile PoolView view;
    private volatile OutcomeListener outcomes = OutcomeListener.IGNORE;
    private volatile StickTable stick;
    private volatile Runnable onChange = () -> { };

    /** @param tls built from {@code config.tls()}; null for cleartext */
    public Pool(PoolConfig config, List<Endpoint> endpoints, PoolView initial, UpstreamTls tls) {
        this.config = config;
        this.endpoints = List.copyOf(endpoints);
        this.view = initial;
        this.tls = tls;
    }

    public String name() {
        return config.name();
    }

    public PoolConfig config() {
        return config;
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** TLS towards the endpoints, or null for cleartext. */
    public UpstreamTls tls() {
        return tls;
    }

    public PoolView view() {
        return view;
    }

    public void publish(PoolView next) {
        view = next;
        onChange.run();
    }

    public OutcomeListener outcomes() {
        return outcomes;
    }

    public void outcomes(OutcomeListener listener) {
        outcomes = listener;
        onChange.run();
    }

    /** The pool's stick table, or null when it has none. */
    public StickTable stick() {
        return stick;
    }

    public void stick(StickTable table) {
        stick = table;
        onChange.run();
    }

    /** Runs {@code action} after each change of the view, the outcome listener or the stick table. */
    public void onChange(Runnable action) {
        onChange = action;
    }
}
