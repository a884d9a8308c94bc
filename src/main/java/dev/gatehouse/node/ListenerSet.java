package dev.gatehouse.node;

import dev.gatehouse.accesslog.AccessLogs;
import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.config.Protocol;
import dev.gatehouse.limit.ClientLimits;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.proxy.ProxyListener;
import dev.gatehouse.proxy.Transport;
import dev.gatehouse.proxy.http.HttpListener;
import dev.gatehouse.proxy.tcp.TcpListener;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.tls.TlsService;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of a node. Plain listeners are bound whenever they are configured; a {@code vip:NAME:PORT}
 * listener only while this node holds VIP NAME. A reload binds every new or moved listener first and
 * changes nothing if one cannot bind; only then are listeners updated in place (same bind and protocol)
 * and old ones drained.
 */
final class ListenerSet {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerSet.class);

    private final Transport transport;
    private final RouteTables routes;
    private final Metrics metrics;
    private final ClientLimits limits;
    private final Ticker ticker;
    private final TlsService tls;
    private final AccessLogs accessLogs;
    private final Map<String, InetAddress> heldVips = new HashMap<>();
    private List<ListenerConfig> configs = List.of();
    private volatile Map<String, ProxyListener> running = Map.of();

    ListenerSet(Transport transport, RouteTables routes, Metrics metrics, ClientLimits limits, Ticker ticker,
            TlsService tls, AccessLogs accessLogs) {
        this.transport = transport;
        this.routes = routes;
        this.metrics = metrics;
        this.limits = limits;
        this.ticker = ticker;
        this.tls = tls;
        this.accessLogs = accessLogs;
    }

    /** The listeners bound now. */
    Collection<ProxyListener> all() {
        return running.values();
    }

    /** Every configured listener, bound or not. */
    synchronized List<ListenerConfig> configs() {
        return configs;
    }

    /**
     * Makes the running listeners those of {@code next}.
     *
     * @param beforeSwitch runs once every new listener is bound, before any listener takes the new config
     * @throws Exception when a listener cannot bind; then every listener started here is closed again
     *     and the running ones are as they were
     */
    synchronized void apply(List<ListenerConfig> next, Duration drainBound, Runnable beforeSwitch) throws Exception {
        Map<String, ProxyListener> now = running;
        Map<String, ProxyListener> bound = new LinkedHashMap<>();
        List<ProxyListener> started = new ArrayList<>();
        List<Runnable> updates = new ArrayList<>();
        Map<String, ProxyListener> retired = new LinkedHashMap<>(now);
        try {
            for (ListenerConfig config : next) {
                InetSocketAddress address = socketAddress(config);
                if (address == null) {
                    continue; // a VIP this node does not hold: bound when it is acquired
                }
                ProxyListener current = now.get(config.name());
                if (current != null && sameSocket(current.config(), config)) {
                    retired.remove(config.name());
                    bound.put(config.name(), current);
                    updates.add(() -> routes.install(current, config));
                    continue;
                }
                if (current != null && current.config().bind().equals(config.bind())) {
                    // Same address, other protocol: the old one must let go of the port first.
                    current.drain(Duration.ZERO).join();
                    retired.remove(config.name());
                }
                ProxyListener fresh = create(config);
                fresh.start(address);
                started.add(fresh);
                bound.put(config.name(), fresh);
            }
        } catch (Exception e) {
            for (ProxyListener s : started) {
                s.drain(Duration.ZERO);
            }
            throw e;
        }
        beforeSwitch.run();
        // Per-client limits follow the listener's name, bound or not, so a rebound listener keeps its clients' buckets.
        for (ListenerConfig config : next) {
            limits.limiter(config.name()).configure(config.limits());
        }
        limits.retain(next.stream().map(ListenerConfig::name).toList());
        accessLogs.configure(next); // a changed log gets a new writer; the old one closes once its queue is written
        updates.forEach(Runnable::run);
        configs = List.copyOf(next);
        running = bound;
        routes.republish(); // the listeners bound above took the pools in force before the switch
        for (ProxyListener old : retired.values()) {
            old.drain(drainBound);
        }
    }

    /**
     * A process's first bind of a VIP listener costs 75-95 ms (measured in the lab: class loading, the first
     * socket-option and reuseport-program calls), against 2-3 ms for the next ones; paid at a takeover it would be
     * part of the outage. So each VIP listener is bound once at start on an ephemeral loopback port, with the same
     * options and handlers, and closed again. Called once, when the node joins its cluster.
     */
    synchronized void warmUpVipListeners() {
        for (ListenerConfig config : configs) {
            if (config.bind().isVip()) {
                ProxyListener warm = create(config);
                try {
                    warm.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                } catch (Exception e) {
                    LOG.warn("listener {}: not warmed up ({}); its first bind at a takeover may take longer",
                            config.name(), e.toString());
                }
                warm.drain(Duration.ZERO).join();
            }
        }
    }

    /** This node now holds {@code vip} at {@code address}: binds its listeners there. */
    synchronized void bindVip(String vip, InetAddress address) throws Exception {
        heldVips.put(vip, address);
        Map<String, ProxyListener> bound = new LinkedHashMap<>(running);
        try {
            for (ListenerConfig config : configs) {
                if (vip.equals(config.bind().vip()) && !bound.containsKey(config.name())) {
                    ProxyListener fresh = create(config);
                    fresh.start(socketAddress(config));
                    bound.put(config.name(), fresh);
                }
            }
        } finally {
            running = bound;
        }
    }

    /** This node no longer holds {@code vip}: its listeners stop accepting; in-flight work gets {@code bound}. */
    synchronized void releaseVip(String vip, Duration bound) {
        heldVips.remove(vip);
        Map<String, ProxyListener> kept = new LinkedHashMap<>(running);
        kept.values().removeIf(l -> {
            boolean onVip = vip.equals(l.config().bind().vip());
            if (onVip) {
                l.drain(bound);
            }
            return onVip;
        });
        running = kept;
    }

    /** Whether this node's VIP listeners share their port with another node's on this host during a handover. */
    boolean vipPortsShared() {
        return transport.sharesVipPorts();
    }

    /** Whether every listener on {@code vip} is bound (true when none is configured). */
    synchronized boolean vipListenersBound(String vip) {
        return configs.stream().filter(c -> vip.equals(c.bind().vip())).allMatch(c -> running.containsKey(c.name()));
    }

    /** Drains every listener within {@code bound}. */
    CompletableFuture<Void> drainAll(Duration bound) {
        return CompletableFuture.allOf(running.values().stream().map(l -> l.drain(bound)).toArray(CompletableFuture[]::new));
    }

    private InetSocketAddress socketAddress(ListenerConfig config) {
        if (!config.bind().isVip()) {
            return config.bind().address().socketAddress();
        }
        InetAddress vip = heldVips.get(config.bind().vip());
        return vip == null ? null : new InetSocketAddress(vip, config.bind().port());
    }

    private static boolean sameSocket(ListenerConfig a, ListenerConfig b) {
        return a.bind().equals(b.bind()) && a.protocol() == b.protocol();
    }

    private ProxyListener create(ListenerConfig config) {
        var limiter = limits.limiter(config.name());
        var table = routes.build(config);
        return config.protocol() == Protocol.HTTP
                ? new HttpListener(table, transport, metrics, limiter, ticker, tls.listener(config.name()),
                        accessLogs.of(config.name()))
                : new TcpListener(table, transport, metrics.listener(config.name()), limiter, ticker,
                        tls.listener(config.name()), accessLogs.of(config.name()));
    }
}
