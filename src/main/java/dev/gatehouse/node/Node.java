package dev.gatehouse.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.gatehouse.admin.AdminServer;
import dev.gatehouse.admin.Events;
import dev.gatehouse.admin.NodeControl;
import dev.gatehouse.admin.StatusReport;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.ConfigResult;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.config.Snapshot;
import dev.gatehouse.health.PoolHealth;
import dev.gatehouse.limit.ClientLimits;
import dev.gatehouse.metrics.ListenerStats;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.proxy.ProxyListener;
import dev.gatehouse.proxy.Transport;
import dev.gatehouse.stick.StickTables;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.time.WallClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: pools with their health checks, listeners, and the admin API. Config flows one way:
 * a validated {@link Snapshot} is turned into pools and listeners; a reload validates first and either
 * applies whole or changes nothing.
 */
public final class Node implements NodeControl, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    private static final YAMLMapper YAML = new YAMLMapper();

    private final Path configFile;
    private final Ticker ticker;
    private final long startNanos;
    private final Metrics metrics = new Metrics();
    private final Events events = new Events();
    private final ScheduledExecutorService control =
            Executors.newScheduledThreadPool(2, Thread.ofVirtual().name("gatehouse-control-", 0).factory());
    private final Transport transport;
    private final StickTables stickTables = new StickTables(WallClock.system());
    private final PoolSet pools;
    private final ListenerSet listeners;
    private final ClientLimits limits;
    private final RequestRates rates;
    private final PoolGauges gauges;
    private volatile Snapshot snapshot;
    private volatile String sourceText;
    private volatile boolean stopping;
    private AdminServer admin;
    private ClusterRuntime cluster;

    private Node(Snapshot snapshot, String sourceText, Path configFile, Ticker ticker) {
        this.snapshot = snapshot;
        this.sourceText = sourceText;
        this.configFile = configFile;
        this.ticker = ticker;
        this.startNanos = ticker.nanos();
        this.transport = Transport.create(0);
        this.stickTables.exportTo(metrics);
        this.pools = new PoolSet(ticker, control, events, metrics, stickTables);
        this.limits = new ClientLimits(ticker);
        this.listeners = new ListenerSet(transport, pools::pool, metrics, limits, ticker);
        this.rates = new RequestRates(ticker);
        this.gauges = new PoolGauges(metrics, pools);
    }

    /** Loads {@code file}, starts everything it describes, and returns the running node. */
    public static Node start(Path file, Ticker ticker) throws Exception {
        String text = Files.readString(file);
        ConfigResult result = ConfigLoader.parse(text, file.toString());
        if (!result.isValid()) {
            throw new InvalidConfigException(result.errorLines());
        }
        return start(Snapshot.of(result.config(), 1, file.toString()), text, file, ticker);
    }

    static Node start(Snapshot snapshot, String text, Path file, Ticker ticker) throws Exception {
        Node node = new Node(snapshot, text, file, ticker);
        try {
            if (!node.witness()) {
                node.apply(snapshot.config());
            }
            if (snapshot.config().cluster() != null) {
                node.cluster = new ClusterRuntime(snapshot.config().cluster(), snapshot.config().node().id(), node.dataDir(),
                        node.listeners, node::canServe, node.stickTables, node.limits, node.events, node.metrics, ticker);
                node.cluster.start();
            }
            if (snapshot.config().node().admin() != null) {
                node.admin = AdminServer.start(snapshot.config().node().admin(), node);
            }
            node.control.scheduleAtFixedRate(() -> node.rates.sample(node.listeners.all(), node.metrics), 1, 1,
                    java.util.concurrent.TimeUnit.SECONDS);
            node.control.scheduleAtFixedRate(node.limits::sweep, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
            node.metrics.gauge("gatehouse_limit_dropped_usage", "Usage reports from peers dropped as malformed",
                    node.limits::droppedUsage);
            node.metrics.gauge("gatehouse_config_version", "Version of the config in force", () -> node.snapshot.version(),
                    "hash", "current");
        } catch (Exception e) {
            node.close();
            throw e;
        }
        if (snapshot.config().gslb() != null) {
            LOG.warn("gslb: the section is valid, but this build does not serve DNS yet; nothing listens on {}",
                    snapshot.config().gslb().bind());
        }
        node.events.publish("config", "version " + snapshot.version(), "started with " + snapshot.source()
                + " (hash " + snapshot.hash().substring(0, 12) + ")");
        return node;
    }

    /** Pools are built first but published only once every listener has bound, so a failed reload changes nothing. */
    private void apply(GatehouseConfig config) throws Exception {
        PoolSet.Staged staged = pools.stage(config.pools());
        try {
            listeners.apply(config.listeners(), drainBound(config), staged::commit);
        } catch (Exception e) {
            staged.abort();
            throw e;
        }
        gauges.register();
    }

    private static Duration drainBound(GatehouseConfig config) {
        return config.pools().values().stream().map(p -> p.drainTimeout()).max(Duration::compareTo).orElse(Duration.ofSeconds(30));
    }

    /** Re-reads the config file (SIGHUP). */
    public List<String> reloadFile() {
        if (configFile == null) {
            return List.of("no config file to reload");
        }
        try {
            String text = Files.readString(configFile);
            ConfigResult result = ConfigLoader.parse(text, configFile.toString());
            return result.isValid() ? reload(result.config(), text, configFile.toString()) : result.errorLines();
        } catch (java.io.IOException e) {
            return List.of(configFile + ": " + e.getMessage());
        }
    }

    private synchronized List<String> reload(GatehouseConfig next, String text, String source) {
        GatehouseConfig current = snapshot.config();
        if (!next.node().equals(current.node())) {
            return List.of(source + ":1 node: the node section changed; restart the process to apply it");
        }
        if (!java.util.Objects.equals(next.cluster(), current.cluster())) {
            return List.of(source + ":1 cluster: membership and VIPs change by their own operation, not a reload; restart to apply");
        }
        if (witness()) {
            return List.of(source + ":1 node: a witness runs no listeners or pools; nothing to reload");
        }
        try {
            apply(next);
        } catch (Exception e) {
            return List.of(source + ": could not apply: " + e.getMessage());
        }
        snapshot = Snapshot.of(next, snapshot.version() + 1, source);
        sourceText = text;
        events.publish("config", "version " + snapshot.version(), "applied from " + source
                + " (hash " + snapshot.hash().substring(0, 12) + ")");
        return List.of();
    }

    /** Stops accepting, drains listeners within {@code bound}, then stops everything. */
    public void shutdown(Duration bound) {
        stopping = true;
        closeCluster();
        listeners.drainAll(bound).orTimeout(bound.toMillis() + 1000, java.util.concurrent.TimeUnit.MILLISECONDS)
                .exceptionally(e -> null).join();
        close();
    }

    @Override
    public void close() {
        stopping = true;
        closeCluster();
        if (admin != null) {
            admin.stop();
        }
        pools.stopAll();
        control.shutdownNow();
        transport.shutdownGracefully();
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** The bound address of a listener (useful when it was bound to port 0). */
    public java.net.InetSocketAddress listenerAddress(String name) {
        return listeners.all().stream().filter(l -> l.config().name().equals(name)).findFirst()
                .map(ProxyListener::localAddress).orElse(null);
    }

    public java.net.InetSocketAddress adminAddress() {
        return admin == null ? null : admin.address();
    }

    // ---- NodeControl, for the admin API ----

    @Override
    public StatusReport status() {
        Snapshot s = snapshot;
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
            ps.add(new StatusReport.PoolStatus(h.pool().name(), h.pool().config().balance().name().toLowerCase(), view.panic(),
                    (int) view.healthyCount(), es));
        }
        long up = (ticker.nanos() - startNanos) / 1_000_000_000L;
        return new StatusReport(s.config().node().id(), witness() ? "witness" : "node", s.version(), s.hash(), up,
                cluster == null ? null : cluster.status(), ls, ps);
    }

    private StatusReport.LimitStatus limitStatus(ListenerConfig config, ListenerStats stats) {
        LimitsConfig l = Objects.requireNonNullElse(config.limits(), LimitsConfig.NONE);
        var p = l.perClient();
        return new StatusReport.LimitStatus(l.maxConnections(), p == null ? null : p.requestsPerSecond(),
                p == null ? null : p.burst(), p == null ? null : p.connections(),
                limits.limiter(config.name()).trackedClients(), stats.refusedByLimit(), stats.refusedByRate(),
                stats.refusedByClientCap());
    }

    @Override
    public boolean healthy() {
        return !stopping && (witness() || !listeners.all().isEmpty());
    }

    @Override
    public boolean demote() {
        return setDemoted(true);
    }

    @Override
    public boolean undemote() {
        return setDemoted(false);
    }

    private boolean setDemoted(boolean demoted) {
        if (cluster == null) {
            return false;
        }
        if (demoted) {
            cluster.demote();
        } else {
            cluster.undemote();
        }
        events.publish("cluster", snapshot.config().node().id(), demoted ? "demoted by operator" : "available again (undemoted by operator)");
        return true;
    }

    /**
     * Whether this node may own a VIP: not stopping, and every pool its VIP listeners send traffic to has an
     * endpoint that passes its checks (a node whose backends are all down must not attract the traffic).
     */
    private boolean canServe() {
        if (stopping || witness()) {
            return false;
        }
        for (var l : listeners.configs()) {
            if (!l.bind().isVip()) {
                continue;
            }
            List<String> targets = l.pool() != null ? List.of(l.pool()) : l.routes().stream().map(r -> r.pool()).toList();
            for (String name : targets) {
                var pool = pools.pool(name);
                if (pool == null || pool.view().healthyCount() == 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean witness() {
        var c = snapshot.config().cluster();
        return c != null && c.members().stream().anyMatch(m -> m.id().equals(snapshot.config().node().id())
                && m.role() == dev.gatehouse.config.ClusterConfig.Role.WITNESS);
    }

    private Path dataDir() {
        Path configured = snapshot.config().node().dataDir();
        if (configured != null) {
            return configured;
        }
        Path base = configFile == null ? Path.of(".") : configFile.toAbsolutePath().getParent();
        return base.resolve("data").resolve(snapshot.config().node().id());
    }

    private void closeCluster() {
        ClusterRuntime c = cluster;
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (java.io.IOException e) {
            LOG.warn("cluster member did not stop cleanly", e);
        }
    }

    @Override
    public String configYaml() {
        try {
            ObjectNode tree = (ObjectNode) YAML.readTree(sourceText);
            tree.remove("node");
            return YAML.writeValueAsString(tree);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the running config no longer parses", e);
        }
    }

    @Override
    public List<String> replaceConfig(String yaml) {
        ConfigResult result = ConfigLoader.parseClusterWide(yaml, "PUT /api/v1/config", snapshot.config().node(),
                configFile == null ? Path.of(".") : configFile.toAbsolutePath().getParent());
        if (!result.isValid()) {
            return result.errorLines();
        }
        return reload(result.config(), nodeSectionYaml() + yaml, "PUT /api/v1/config");
    }

    private String nodeSectionYaml() {
        try {
            ObjectNode root = YAML.createObjectNode();
            root.set("node", YAML.readTree(sourceText).get("node"));
            return YAML.writeValueAsString(root).replaceFirst("^---\\s*\n", "");
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the running config no longer parses", e);
        }
    }

    @Override
    public long configVersion() {
        return snapshot.version();
    }

    @Override
    public boolean drain(String pool, String endpoint) {
        return setDraining(pool, endpoint, true);
    }

    @Override
    public boolean enable(String pool, String endpoint) {
        return setDraining(pool, endpoint, false);
    }

    private boolean setDraining(String pool, String endpoint, boolean drain) {
        boolean found = pools.setDraining(pool, endpoint, drain);
        if (found) {
            events.publish(drain ? "drain" : "enable", pool + "/" + endpoint, drain ? "draining by operator" : "enabled by operator");
        }
        return found;
    }

    @Override
    public Events events() {
        return events;
    }

    @Override
    public String metrics() {
        return metrics.scrape();
    }
}
