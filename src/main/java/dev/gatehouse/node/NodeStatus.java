package dev.gatehouse.node;

import dev.gatehouse.admin.StatusReport;
import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.config.Snapshot;
import dev.gatehouse.gslb.GslbStatus;
import dev.gatehouse.health.PoolHealth;
import dev.gatehouse.limit.ClientLimits;
import dev.gatehouse.metrics.ListenerStats;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.proxy.ProxyListener;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.tls.TlsStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The node's status as the admin API reports it: listeners with their traffic and limits, pools with their endpoints. */
final class NodeStatus {

    private final ListenerSet listeners;
    private final PoolSet pools;
    private final Metrics metrics;
    private final TrafficSampler rates;
    private final ClientLimits limits;
    private final Ticker ticker;
    private final long startNanos;

    NodeStatus(ListenerSet listeners, PoolSet pools, Metrics metrics, TrafficSampler rates, ClientLimits limits, Ticker ticker) {
        this.listeners = listeners;
        this.pools = pools;
        this.metrics = metrics;
        this.rates = rates;
        this.limits = limits;
        this.ticker = ticker;
        this.startNanos = ticker.nanos();
    }

    /** @param clusterStatus the cluster part, null outside a cluster */
    StatusReport report(Snapshot s, boolean witness, StatusReport.ClusterStatus clusterStatus, TlsStatus tls,
            GslbStatus gslb) {
        List<StatusReport.ListenerStatus> ls = new ArrayList<>();
        for (ProxyListener l : listeners.all()) {
            var stats = metrics.listener(l.config().name());
            ls.add(new StatusReport.ListenerStatus(l.config().name(), l.config().bind().toString(),
                    l.config().protocol().name().toLowerCase(), l.activeConnections(), stats.requests(),
                    rates.rate(l.config().name()), limitStatus(l.config(), stats)));
        }
        List<StatusReport.PoolStatus> ps = new ArrayList<>();
        for (PoolHealth h : pools.all()) {
            var view = h.pool().view();
            List<StatusReport.EndpointStatus> es = new ArrayList<>();
            for (var e : view.endpoints()) {
                es.add(new StatusReport.EndpointStatus(e.endpoint().address(), e.endpoint().zone(), e.endpoint().weight(),
                        e.effectiveWeight(), e.state().label(), e.endpoint().activeRequests().get()));
            }
            var zones = view.zones();
            ps.add(new StatusReport.PoolStatus(h.pool().name(), h.pool().config().balance().name().toLowerCase(), view.panic(),
                    (int) view.healthyCount(), zones.mode().label(), zones.localZone(), zones.zones().stream()
                            .map(z -> new StatusReport.ZoneStatus(z.name(), z.endpoints(), z.healthy(), z.capacity(), z.share())).toList(),
                    es));
        }
        long up = (ticker.nanos() - startNanos) / 1_000_000_000L;
        return new StatusReport(s.config().node().id(), witness ? "witness" : "node", s.version(), s.hash(), up,
                clusterStatus, ls, ps, tls, gslb);
    }

    /** Requests and errors of every listener so far, for a canary's watch. */
    CanaryWatch.Traffic traffic() {
        long requests = 0;
        long errors = 0;
        for (ProxyListener l : listeners.all()) {
            var stats = metrics.listener(l.config().name());
            requests += stats.requests();
            errors += stats.errors();
        }
        return new CanaryWatch.Traffic(requests, errors);
    }

    private StatusReport.LimitStatus limitStatus(ListenerConfig config, ListenerStats stats) {
        LimitsConfig l = Objects.requireNonNullElse(config.limits(), LimitsConfig.NONE);
        var p = l.perClient();
        return new StatusReport.LimitStatus(l.maxConnections(), p == null ? null : p.requestsPerSecond(),
                p == null ? null : p.burst(), p == null ? null : p.connections(),
                limits.limiter(config.name()).trackedClients(), stats.refusedByLimit(), stats.refusedByRate(),
                stats.refusedByClientCap());
    }
}
