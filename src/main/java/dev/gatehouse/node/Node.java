package dev.gatehouse.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.gatehouse.admin.AdminServer;
import dev.gatehouse.admin.ConfigAnswer;
import dev.gatehouse.admin.Events;
import dev.gatehouse.admin.NodeControl;
import dev.gatehouse.admin.StatusReport;
import dev.gatehouse.cluster.CanaryPlan;
import dev.gatehouse.cluster.ConfigProposal;
import dev.gatehouse.cluster.ReplicatedConfig;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.ConfigResult;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.GslbConfig;
import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.config.Snapshot;
import dev.gatehouse.gslb.Gslb;
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
 *
 * <p>In a cluster the cluster-wide part of the config is the cluster's, not the file's: a node starts on its
 * file as version 0, then runs whatever the replicated log says is current (if the cluster has no config yet,
 * the members' files are offered as version 1 and the first committed wins). A reload (SIGHUP) or a PUT does not
 * apply anything directly: it proposes the config as the next version, and every node, this one included,
 * applies it when it is committed. So after a restart with a locally edited file, the replicated config wins,
 * and the next SIGHUP proposes the file.
 */
public final class Node implements NodeControl, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    private static final YAMLMapper YAML = new YAMLMapper();
    /** How long a reload or PUT waits for the cluster to commit a config, and then for this node to run it. */
    private static final Duration PROPOSE_WAIT = Duration.ofSeconds(10);

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
    private final ConfigSync configSync;
    private volatile Snapshot snapshot;
    private volatile String sourceText;
    /** In a cluster, the cluster-wide text this node runs once it ran a replicated version; else null. */
    private volatile String sharedText;
    private volatile boolean stopping;
    private AdminServer admin;
    private ClusterRuntime cluster;
    /** The DNS server when the config has {@code gslb:}; replaced whole when a reload changes that section. */
    private volatile Gslb gslb;

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
        CanaryWatch canaries = new CanaryWatch(control, this::traffic,
                (version, promote, reason) -> cluster.proposeVerdict(version, promote, reason));
        this.configSync = new ConfigSync(control, this::applyReplicated, () -> this.snapshot.version(),
                this::runsReplicated, events, metrics, canaries);
    }

    /** Loads {@code file}, starts everything it describes, and returns the running node. */
    public static Node start(Path file, Ticker ticker) throws Exception {
        String text = Files.readString(file);
        ConfigResult result = ConfigLoader.parse(text, file.toString());
        if (!result.isValid()) {
            throw new InvalidConfigException(result.errorLines());
        }
        // in a cluster, version 0 until the cluster's current config has been applied
        long version = result.config().cluster() == null ? 1 : 0;
        return start(Snapshot.of(result.config(), version, file.toString()), text, file, ticker);
    }

    static Node start(Snapshot snapshot, String text, Path file, Ticker ticker) throws Exception {
        Node node = new Node(snapshot, text, file, ticker);
        try {
            if (!node.witness()) {
                node.apply(snapshot.config());
            }
            if (snapshot.config().cluster() != null) {
                node.cluster = new ClusterRuntime(snapshot.config().cluster(), snapshot.config().node().id(), node.dataDir(),
                        node.listeners, node::canServe, node.stickTables, node.limits, node.configSync::committed,
                        () -> node.snapshot.version(), node.events, node.metrics, ticker);
                node.cluster.start();
                node.cluster.seedConfig(node.configYaml(), snapshot.source());
            }
            if (snapshot.config().node().admin() != null) {
                node.admin = AdminServer.start(snapshot.config().node().admin(), snapshot.config().node().adminAccess(), node,
                        node.metrics.registry());
            }
            node.control.scheduleAtFixedRate(() -> node.rates.sample(node.listeners.all(), node.metrics), 1, 1,
                    java.util.concurrent.TimeUnit.SECONDS);
            node.control.scheduleAtFixedRate(node.limits::sweep, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
            node.metrics.gauge("gatehouse_limit_dropped_usage", "Usage reports from peers dropped as malformed",
                    node.limits::droppedUsage);
            node.metrics.gauge("gatehouse_config_version", "Version of the config in force", () -> node.snapshot.version(),
                    "hash", "current");
            node.metrics.gauge("gatehouse_config_hash_prefix",
                    "First 48 bits of the SHA-256 of the config in force, as a number: equal on nodes running the same config",
                    () -> Long.parseLong(node.snapshot.hash().substring(0, 12), 16));
        } catch (Exception e) {
            node.close();
            throw e;
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
        applyGslb(config.gslb());
    }

    /** Starts, replaces or stops the DNS server as {@code next} says; an unchanged section keeps it as it runs. */
    private void applyGslb(GslbConfig next) throws Exception {
        Gslb running = gslb;
        if (running != null && running.config().equals(next)) {
            return;
        }
        if (running != null) {
            running.close();
            gslb = null;
        }
        if (next != null) {
            gslb = Gslb.start(next, transport, metrics.registry(), events::publish, ticker);
        }
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
            String source = configFile.toString();
            ConfigResult result = ConfigLoader.parse(text, source);
            if (!result.isValid()) {
                return result.errorLines();
            }
            if (cluster != null) {
                return proposeShared(result.config(), withoutNode(text), source, null).errors();
            }
            return reload(result.config(), text, source);
        } catch (java.io.IOException e) {
            return List.of(configFile + ": " + e.getMessage());
        }
    }

    /** Errors for the parts of {@code next} that a reload cannot change. */
    private List<String> unchangeable(GatehouseConfig next, String source) {
        GatehouseConfig current = snapshot.config();
        if (!next.node().equals(current.node())) {
            return List.of(source + ":1 node: the node section changed; restart the process to apply it");
        }
        if (!java.util.Objects.equals(next.cluster(), current.cluster())) {
            return List.of(source + ":1 cluster: membership and VIPs change by their own operation, not a reload; restart to apply");
        }
        return List.of();
    }

    private synchronized List<String> reload(GatehouseConfig next, String text, String source) {
        List<String> fixed = unchangeable(next, source);
        if (!fixed.isEmpty()) {
            return fixed;
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

    /**
     * Proposes {@code text} (cluster-wide; {@code next} is it parsed with this node's section) as the cluster's
     * next config and waits until this node runs it (for a canary on another node: until it is committed). No
     * errors when it is committed and running here; refused at once when it changes what only a restart can.
     */
    private ConfigAnswer proposeShared(GatehouseConfig next, String text, String label, CanaryPlan canary) {
        List<String> fixed = unchangeable(next, label);
        if (!fixed.isEmpty()) {
            return new ConfigAnswer(0, fixed);
        }
        ConfigProposal proposal = cluster.proposeConfig(text, label, canary)
                .completeOnTimeout(null, PROPOSE_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).join();
        if (proposal == null) {
            return new ConfigAnswer(0, List.of(label + ": not committed within " + PROPOSE_WAIT.toSeconds()
                    + "s (is a majority of members up?)"));
        }
        if (!proposal.accepted()) {
            return new ConfigAnswer(0, proposal.errors());
        }
        long version = proposal.committed().version();
        if (canary != null && !canary.member().equals(snapshot.config().node().id())) {
            return new ConfigAnswer(version, List.of());
        }
        try {
            List<String> here = configSync.outcome(version)
                    .completeOnTimeout(List.of(label + ": committed as version " + version + ", but not yet running on this node"),
                            PROPOSE_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .join();
            return new ConfigAnswer(version,
                    here.stream().map(e -> "committed as version " + version + " but refused on this node: " + e).toList());
        } finally {
            configSync.forget(version);
        }
    }

    /** Runs a committed cluster-wide config here; the errors when this node cannot (empty: it runs it now). */
    private synchronized List<String> applyReplicated(ReplicatedConfig committed) {
        String label = "cluster config v" + committed.version();
        ConfigResult result = ConfigLoader.parseClusterWide(committed.text(), label, snapshot.config().node(), baseDir());
        if (!result.isValid()) {
            return result.errorLines(); // valid everywhere by the cluster's rules, but not with this node's section
        }
        GatehouseConfig next = result.config();
        // the same hash is the same config (the node started on the file the cluster runs): nothing to rebuild
        if (!witness() && !Snapshot.hash(next).equals(snapshot.hash())) {
            try {
                apply(next);
            } catch (Exception e) {
                return List.of(label + ": could not apply on this node: " + e.getMessage());
            }
        }
        snapshot = Snapshot.of(next, committed.version(), committed.label() + " via " + committed.origin());
        sharedText = committed.text();
        return List.of();
    }

    private CanaryWatch.Traffic traffic() {
        long requests = 0;
        long errors = 0;
        for (ProxyListener l : listeners.all()) {
            var stats = metrics.listener(l.config().name());
            requests += stats.requests();
            errors += stats.errors();
        }
        return new CanaryWatch.Traffic(requests, errors);
    }

    private void runsReplicated(long version) {
        ClusterRuntime c = cluster;
        if (c != null) {
            c.configApplied(version);
        }
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
        Gslb g = gslb;
        if (g != null) {
            g.close();
        }
        pools.stopAll();
        control.shutdownNow();
        transport.shutdownGracefully();
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** The socket layer the data plane runs on. */
    public Transport.Kind transportKind() {
        return transport.kind();
    }

    /** The bound address of a listener (useful when it was bound to port 0). */
    public java.net.InetSocketAddress listenerAddress(String name) {
        return listeners.all().stream().filter(l -> l.config().name().equals(name)).findFirst()
                .map(ProxyListener::localAddress).orElse(null);
    }

    /** Where the DNS server listens, or null when this node runs none. */
    public java.net.InetSocketAddress dnsAddress() {
        Gslb g = gslb;
        return g == null ? null : g.address();
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
        Gslb g = gslb;
        return new StatusReport(s.config().node().id(), witness() ? "witness" : "node", s.version(), s.hash(), up,
                cluster == null ? null : cluster.status(s.version()), ls, ps, g == null ? null : g.status());
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
    public String notServing() {
        return unservable(false);
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
        return unservable(true) == null;
    }

    /**
     * Why this node cannot serve now, or null when it can: it is stopping, a witness, or refused the config in
     * force, or a pool behind its listeners (its VIP listeners only, for {@code vipOnly}) has no endpoint that
     * passes its checks. The same rule decides VIP ownership and {@code /healthz}, which counts every listener.
     */
    private String unservable(boolean vipOnly) {
        if (stopping) {
            return "stopping";
        }
        if (witness()) {
            return "a witness serves no traffic";
        }
        if (configSync.refusedHere()) {
            return "the cluster's config could not be applied on this node";
        }
        List<ListenerConfig> configured = listeners.configs();
        if (configured.isEmpty() && !vipOnly && gslb == null) {
            return "no listeners";
        }
        for (var l : configured) {
            if (vipOnly && !l.bind().isVip()) {
                continue;
            }
            List<String> targets = l.pool() != null ? List.of(l.pool()) : l.routes().stream().map(r -> r.pool()).toList();
            for (String name : targets) {
                var pool = pools.pool(name);
                if (pool == null || pool.view().healthyCount() == 0) {
                    return "pool " + name + " (listener " + l.name() + ") has no healthy endpoint";
                }
            }
        }
        return null;
    }

    private boolean witness() {
        var c = snapshot.config().cluster();
        return c != null && c.members().stream().anyMatch(m -> m.id().equals(snapshot.config().node().id())
                && m.role() == dev.gatehouse.config.ClusterConfig.Role.WITNESS);
    }

    private Path baseDir() {
        return configFile == null ? Path.of(".") : configFile.toAbsolutePath().getParent();
    }

    private Path dataDir() {
        Path configured = snapshot.config().node().dataDir();
        if (configured != null) {
            return configured;
        }
        return baseDir().resolve("data").resolve(snapshot.config().node().id());
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
        String shared = sharedText;
        return shared != null ? shared : withoutNode(sourceText);
    }

    /** A whole config file's text without its {@code node:} section: the part the cluster shares. */
    private static String withoutNode(String text) {
        try {
            ObjectNode tree = (ObjectNode) YAML.readTree(text);
            tree.remove("node");
            return YAML.writeValueAsString(tree);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a validated config no longer parses", e);
        }
    }

    @Override
    public List<String> replaceConfig(String yaml) {
        String source = "PUT /api/v1/config";
        ConfigResult result = ConfigLoader.parseClusterWide(yaml, source, snapshot.config().node(), baseDir());
        if (!result.isValid()) {
            return result.errorLines();
        }
        if (cluster != null) {
            return proposeShared(result.config(), yaml, source, null).errors();
        }
        return reload(result.config(), nodeSectionYaml() + yaml, source);
    }

    @Override
    public ConfigAnswer canaryConfig(String yaml, String member, Duration watch, double maxErrorRate) {
        if (cluster == null) {
            return NodeControl.super.canaryConfig(yaml, member, watch, maxErrorRate);
        }
        String source = "PUT /api/v1/config?canary=" + member;
        ConfigResult result = ConfigLoader.parseClusterWide(yaml, source, snapshot.config().node(), baseDir());
        if (!result.isValid()) {
            return new ConfigAnswer(0, result.errorLines());
        }
        return proposeShared(result.config(), yaml, source, new CanaryPlan(member, watch.toMillis(), maxErrorRate));
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
