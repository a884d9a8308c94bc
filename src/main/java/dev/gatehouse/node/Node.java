package dev.gatehouse.node;

import dev.gatehouse.admin.AdminServer;
import dev.gatehouse.admin.ConfigAnswer;
import dev.gatehouse.admin.Events;
import dev.gatehouse.admin.NodeControl;
import dev.gatehouse.admin.StatusReport;
import dev.gatehouse.alert.Alerts;
import dev.gatehouse.alert.Origin;
import dev.gatehouse.cluster.CanaryPlan;
import dev.gatehouse.cluster.ReplicatedConfig;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.ConfigResult;
import dev.gatehouse.config.EventKind;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.Snapshot;
import dev.gatehouse.accesslog.AccessLogs;
import dev.gatehouse.limit.ClientLimits;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.proxy.ProxyListener;
import dev.gatehouse.proxy.Transport;
import dev.gatehouse.stick.StickTables;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.time.WallClock;
import dev.gatehouse.tls.TlsService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    private final Path configFile;
    private final Ticker ticker;
    private final Metrics metrics = new Metrics();
    private final Events events = new Events();
    private final ScheduledExecutorService control =
            Executors.newScheduledThreadPool(2, Thread.ofVirtual().name("gatehouse-control-", 0).factory());
    private final Transport transport;
    private final StickTables stickTables = new StickTables(WallClock.system());
    private final PoolSet pools;
    private final RouteTables routes;
    private final ListenerSet listeners;
    private final ClientLimits limits;
    private final AccessLogs accessLogs;
    private final RequestRates rates;
    private final Reconfiguration reconfiguration;
    private final NodeStatus status;
    private final ServePolicy servePolicy;
    private final ConfigSync configSync;
    private final Alerts alerts;
    private final TlsService tls;
    private volatile Snapshot snapshot;
    private volatile String sourceText;
    /** In a cluster, the cluster-wide text this node runs once it ran a replicated version; else null. */
    private volatile String sharedText;
    private volatile boolean stopping;
    private AdminServer admin;
    private ClusterRuntime cluster;
    private final DnsService dns;
    private ConfigProposals proposals;

    private Node(Snapshot snapshot, String sourceText, Path configFile, Ticker ticker) {
        this.snapshot = snapshot;
        this.sourceText = sourceText;
        this.configFile = configFile;
        this.ticker = ticker;
        this.transport = Transport.create(0);
        this.stickTables.exportTo(metrics);
        this.pools = new PoolSet(ticker, control, events, metrics, stickTables, snapshot.config().node().zone(),
                this::republishRoutes);
        this.limits = new ClientLimits(ticker);
        this.routes = new RouteTables(pools, this::runningListeners);
        this.dns = new DnsService(transport, metrics.registry(), events::publish, ticker);
        this.tls = new TlsService(metrics.registry(), (subject, detail) -> events.publish("tls", subject, detail),
                java.time.Clock.systemUTC());
        this.accessLogs = new AccessLogs(metrics, WallClock.system());
        this.listeners = new ListenerSet(transport, routes, metrics, limits, ticker, tls, accessLogs);
        this.rates = new RequestRates(ticker);
        String clusterName = snapshot.config().cluster() == null ? null : snapshot.config().cluster().name();
        this.alerts = new Alerts(events, new Origin(snapshot.config().node().id(), clusterName), metrics);
        this.reconfiguration = new Reconfiguration(pools, listeners, tls, new PoolGauges(metrics, pools));
        this.status = new NodeStatus(listeners, pools, metrics, rates, limits, ticker);
        CanaryWatch canaries = new CanaryWatch(control, status::traffic,
                (version, promote, reason) -> cluster.proposeVerdict(version, promote, reason));
        this.configSync = new ConfigSync(control, this::applyReplicated, () -> this.snapshot.version(),
                this::runsReplicated, events, metrics, canaries);
        this.servePolicy = new ServePolicy(() -> stopping, this::witness, configSync::refusedHere, dns::runs,
                listeners, pools);
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
            node.alerts.configure(snapshot.config().alerts());
            if (!node.witness()) {
                node.apply(snapshot.config());
                node.tls.start(node.control);
            }
            if (snapshot.config().cluster() != null) {
                node.cluster = new ClusterRuntime(snapshot.config().cluster(), snapshot.config().node().bgp(),
                        snapshot.config().node().id(), node.dataDir(),
                        node.listeners, node::canServe, node.stickTables, node.limits, node.configSync::committed,
                        () -> node.snapshot.version(), node.events, node.metrics, ticker);
                node.cluster.start();
                node.proposals = new ConfigProposals(node.cluster, node.configSync, snapshot.config().node().id());
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

    /** See {@link Reconfiguration}: whole or not at all. */
    private void apply(GatehouseConfig config) throws Exception {
        reconfiguration.apply(config);
        dns.apply(config.gslb());
    }

    /** Where the DNS server listens, or null when this node runs none. */
    public java.net.InetSocketAddress dnsAddress() {
        return dns.address();
    }

    /** A pool changed: every listener gets a route table with the pools as they are now. */
    private void republishRoutes() {
        routes.republish();
    }

    private java.util.Collection<ProxyListener> runningListeners() {
        return listeners.all();
    }

    /** Re-reads the config file (SIGHUP), then the listeners' certificate files. */
    public List<String> reloadFile() {
        List<String> errors = readAndReload();
        if (errors.isEmpty() && !witness()) {
            errors = tls.reloadFiles(); // a certificate renewed in place (same paths, same config) is taken on too
        }
        if (!errors.isEmpty()) {
            events.publish(EventKind.CONFIG_REFUSED, String.valueOf(configFile), "reload refused: " + String.join("; ", errors));
        }
        return errors;
    }

    private List<String> readAndReload() {
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
                return proposeShared(result.config(), ConfigText.withoutNode(text), source, null).errors();
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
        if (!Objects.equals(next.cluster(), current.cluster())) {
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
        alerts.configure(next.alerts());
        events.publish("config", "version " + snapshot.version(), "applied from " + source
                + " (hash " + snapshot.hash().substring(0, 12) + ")");
        return List.of();
    }

    /**
     * Proposes {@code text} (cluster-wide; {@code next} is it parsed with this node's section) as the cluster's
     * next config (see {@link ConfigProposals}); refused at once when it changes what only a restart can.
     */
    private ConfigAnswer proposeShared(GatehouseConfig next, String text, String label, CanaryPlan canary) {
        List<String> fixed = unchangeable(next, label);
        if (!fixed.isEmpty()) {
            return new ConfigAnswer(0, fixed);
        }
        return proposals.propose(text, label, canary);
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
        alerts.configure(next.alerts());
        return List.of();
    }

    private void runsReplicated(long version) {
        ClusterRuntime c = cluster;
        if (c != null) {
            c.configApplied(version);
        }
    }

    /** Reopens the listeners' access-log files at their paths (SIGUSR1, after logrotate moved them). */
    public void reopenAccessLogs() {
        accessLogs.reopen();
    }

    /** Stops accepting, drains listeners within {@code bound}, then stops everything. */
    public void shutdown(Duration bound) {
        stopping = true;
        ClusterRuntime c = cluster;
        if (c != null) {
            c.withdrawGracefully();
        }
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
        dns.close();
        pools.stopAll();
        alerts.close();
        control.shutdownNow();
        transport.shutdownGracefully();
        try {
            accessLogs.close(); // after the listeners: their last lines are written
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

    public java.net.InetSocketAddress adminAddress() {
        return admin == null ? null : admin.address();
    }

    // ---- NodeControl, for the admin API ----

    @Override
    public StatusReport status() {
        Snapshot s = snapshot;
        return status.report(s, witness(), cluster == null ? null : cluster.status(s.version()), witness() ? null : tls.status(),
                dns.status());
    }

    @Override
    public String notServing() {
        return servePolicy.unservable(false);
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

    /** Whether this node may own a VIP (see {@link ServePolicy}). */
    private boolean canServe() {
        return servePolicy.unservable(true) == null;
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
        return shared != null ? shared : ConfigText.withoutNode(sourceText);
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
        return reload(result.config(), ConfigText.nodeSection(sourceText) + yaml, source);
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
