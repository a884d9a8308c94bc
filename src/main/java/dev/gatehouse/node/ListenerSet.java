package dev.gatehouse.node;

import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.config.Protocol;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.pool.Pool;
import dev.gatehouse.proxy.ProxyListener;
import dev.gatehouse.proxy.Transport;
import dev.gatehouse.proxy.http.HttpListener;
import dev.gatehouse.proxy.tcp.TcpListener;
import dev.gatehouse.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The listeners of a node. A reload binds every new or moved listener first and changes nothing if
 * one cannot bind; only then are listeners updated in place (same bind and protocol) and old ones drained.
 */
final class ListenerSet {

    private final Transport transport;
    private final Function<String, Pool> pools;
    private final Metrics metrics;
    private final Ticker ticker;
    private Map<String, ProxyListener> running = Map.of();

    ListenerSet(Transport transport, Function<String, Pool> pools, Metrics metrics, Ticker ticker) {
        this.transport = transport;
        this.pools = pools;
        this.metrics = metrics;
        this.ticker = ticker;
    }

    Collection<ProxyListener> all() {
        return running.values();
    }

    /**
     * Makes the running listeners those of {@code configs}.
     *
     * @param beforeSwitch runs once every new listener is bound, before any listener takes the new config
     * @throws Exception when a listener cannot bind; then every listener started here is closed again
     *     and the running ones are as they were
     */
    synchronized void apply(List<ListenerConfig> configs, Duration drainBound, Runnable beforeSwitch) throws Exception {
        Map<String, ProxyListener> next = new LinkedHashMap<>();
        List<ProxyListener> started = new ArrayList<>();
        List<Runnable> updates = new ArrayList<>();
        Map<String, ProxyListener> retired = new LinkedHashMap<>(running);
        try {
            for (ListenerConfig config : configs) {
                ProxyListener current = running.get(config.name());
                if (current != null && sameSocket(current.config(), config)) {
                    retired.remove(config.name());
                    next.put(config.name(), current);
                    updates.add(() -> current.update(config));
                    continue;
                }
                ProxyListener fresh = create(config);
                if (current != null && current.config().bind().equals(config.bind())) {
                    // Same address, other protocol: the old one must let go of the port first.
                    current.drain(Duration.ZERO).join();
                    retired.remove(config.name());
                }
                fresh.start(config.bind().address().socketAddress());
                started.add(fresh);
                next.put(config.name(), fresh);
            }
        } catch (Exception e) {
            for (ProxyListener s : started) {
                s.drain(Duration.ZERO);
            }
            throw e;
        }
        beforeSwitch.run();
        updates.forEach(Runnable::run);
        running = next;
        for (ProxyListener old : retired.values()) {
            old.drain(drainBound);
        }
    }

    /** Drains every listener within {@code bound}. */
    CompletableFuture<Void> drainAll(Duration bound) {
        return CompletableFuture.allOf(running.values().stream().map(l -> l.drain(bound)).toArray(CompletableFuture[]::new));
    }

    private static boolean sameSocket(ListenerConfig a, ListenerConfig b) {
        return a.bind().equals(b.bind()) && a.protocol() == b.protocol();
    }

    private ProxyListener create(ListenerConfig config) {
        return config.protocol() == Protocol.HTTP
                ? new HttpListener(config, transport, pools, metrics, ticker)
                : new TcpListener(config, transport, pools, metrics.listener(config.name()));
    }
}
