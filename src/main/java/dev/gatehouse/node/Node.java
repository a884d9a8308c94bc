package dev.gatehouse.node;

import dev.gatehouse.accesslog.AccessLogs;
import dev.gatehouse.admin.AdminServer;
import dev.gatehouse.admin.ConfigAnswer;
import dev.gatehouse.admin.Events;
import dev.gatehouse.admin.NodeControl;
import dev.gatehouse.admin.StatusReport;
import dev.gatehouse.alert.Alerts;
import dev.gatehouse.alert.Origin;
import dev.gatehouse.cluster.ServeCheck;
import dev.gatehouse.cluster.channel.ReplicatedChannel;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.ConfigResult;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.Snapshot;
import dev.gatehouse.history.HistoryReport;
import dev.gatehouse.history.TrafficHistory;
import dev.gatehouse.limit.ClientLimits;
import dev.gatehouse.limit.UsageChannel;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.proxy.ProxyListener;
import dev.gatehouse.proxy.Transport;
import dev.gatehouse.stick.StickChannel;
import dev.gatehouse.stick.StickTables;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.time.WallClock;
import dev.gatehouse.tls.TlsService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: pools with their health checks, listeners, and the admin API. Config flows one way:
 * a validated {@link Snapshot} is turned into pools and listeners; a reload validates first and either
 * applies whole or changes nothing.
 *
 * <p>In a cluster the cluster-wide part of the config is the cluster's, not the file's: a node starts on its
 * file as version 0, then runs whatever the replicated log says is current (if the cluster has no config yet,
 * the members' files are offered as version 1 and the first committed wins). So after a restart with a locally
 * edited file, the replicated config wins, and the next SIGHUP proposes the file ({@link ConfigChanges}).
 */
public final class Node implements NodeControl, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    /** How long {@link #close()} waits for the connections to close, and again for the event loops to stop. */
    private static final long CLOSE_WAIT_MILLIS = 5_000;
    private final AtomicBoolean closed = new AtomicBoolean();

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
    private final TrafficHistory history = new TrafficHistory(Duration.ofMinutes(10), Duration.ofSeconds(1), 100);
    private final TrafficSampler sampler;
    private final AccessLogs accessLogs;
    private final Reconfiguration reconfiguration;
    private final NodeStatus status;
    private final ServePolicy servePolicy;
    private final ConfigSync configSync;
    private final Alerts alerts;
    private final TlsService tls;
    private final ConfigChanges changes;
    private final boolean witness;
    private volatile boolean stopping;
    private AdminServer admin;
    private ClusterRuntime cluster;
    private final DnsService dns;

    private Node(Snapshot snapshot, String sourceText, Path configFile, Ticker ticker) {
        this.ticker = ticker;
        this.witness = isWitness(snapshot.config());
        this.transport = Transport.create(0);
        this.stickTables.exportTo(metrics);
        this.pools = new PoolSet(ticker, control, events, metrics, stickTables, snapshot.config().node().zone(),
                this::republishRoutes);
        this.limits = new ClientLimits(ticker);
        this.routes = new RouteTables(pools, this::runningListeners);
        this.dns = new DnsService(snapshot.config().node().id(), transport, metrics.registry(), events::publish, ticker);
        this.tls = new TlsService(metrics.registry(), (subject, detail) -> events.publish("tls", subject, detail),
                java.time.Clock.systemUTC());
        this.accessLogs = new AccessLogs(metrics, WallClock.system());
        this.listeners = new ListenerSet(transport, routes, metrics, limits, ticker, tls, accessLogs);
        this.sampler = new TrafficSampler(ticker, WallClock.system(), metrics, listeners::all, pools::all, history, events);
        String clusterName = snapshot.config().cluster() == null ? null : snapshot.config().cluster().name();
        this.alerts = new Alerts(events, new Origin(snapshot.config().node().id(), clusterName), metrics);
        this.reconfiguration = new Reconfiguration(pools, listeners, tls, new PoolGauges(metrics, pools));
        this.changes = new ConfigChanges(snapshot, sourceText, configFile, witness, this::apply, alerts, events, tls);
        this.status = new NodeStatus(listeners, pools, metrics, sampler, limits, ticker);
        CanaryWatch canaries = new CanaryWatch(control, status::traffic,
                (version, promote, reason) -> cluster.proposeVerdict(version, promote, reason));
        this.configSync = new ConfigSync(control, changes::applyReplicated, () -> changes.snapshot().version(),
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
                        node.listeners, node.serveCheck(), node.channels(), node.configSync::committed,
                        () -> node.changes.snapshot().version(), node.events, node.metrics, ticker);
                node.cluster.start();
                node.changes.clustered(new ConfigProposals(node.cluster, node.configSync, snapshot.config().node().id()));
                node.cluster.seedConfig(node.configYaml(), snapshot.source());
            }
            if (snapshot.config().node().admin() != null) {
                node.admin = AdminServer.start(snapshot.config().node().admin(), snapshot.config().node().adminAccess(), node,
                        node.metrics.registry());
            }
            node.control.scheduleAtFixedRate(node.sampler::sample, 1, 1,
                    java.util.concurrent.TimeUnit.SECONDS);
            node.control.scheduleAtFixedRate(node.limits::sweep, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
            node.metrics.gauge("gatehouse_limit_dropped_usage", "Usage reports from peers dropped as malformed",
                    node.limits::droppedUsage);
            node.metrics.gauge("gatehouse_netty_direct_memory_bytes",
                    "Direct memory held by the data plane's pooled buffer allocator: whole chunks, in use or kept for reuse",
                    Transport::pooledDirectMemory);
            node.metrics.gauge("gatehouse_config_version", "Version of the config in force", () -> node.changes.snapshot().version(),
                    "hash", "current");
            node.metrics.gauge("gatehouse_config_hash_prefix",
                    "First 48 bits of the SHA-256 of the config in force, as a number: equal on nodes running the same config",
                    () -> Long.parseLong(node.changes.snapshot().hash().substring(0, 12), 16));
        } catch (Exception e) {
            node.close();
            throw e;
        }
        node.events.publish("config", "version " + snapshot.version(), "started with " + snapshot.source()
                + " (hash " + snapshot.hash().substring(0, 12) + ")");
        return node;
    }

    /**
     * What this node shares with the other members beside the cluster's state: its stick tables (a witness keeps
     * them too, for its peers' sake), its clients' rate usage, and the TLS session-ticket keys (every member keeps
     * them; only a node serving TLS proposes one).
     */
    private List<ReplicatedChannel> channels() {
        return List.of(new StickChannel(stickTables, WallClock.system()), new UsageChannel(limits, WallClock.system()),
                tls.ticketKeyChannel(WallClock.system()));
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

    /** Re-reads the config file (SIGHUP), then the listeners' certificate files (see {@link ConfigChanges}). */
    public List<String> reloadFile() {
        return changes.reloadFile();
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
        listeners.drainAll(bound).orTimeout(bound.toMillis() + 1000, TimeUnit.MILLISECONDS)
                .exceptionally(e -> null).join();
        close();
    }

    /** Stops everything; a second call does nothing. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        stopping = true;
        closeCluster();
        if (admin != null) {
            admin.stop();
        }
        dns.close();
        pools.stopAll();
        alerts.close();
        control.shutdownNow();
        // Connections closed, then the event loops stopped, each waited for (bounded): the loops' native rings are
        // freed only with nothing in flight on them, and no loop thread outlives the node (as one would, still
        // tearing down, in the next node a test starts in this JVM).
        listeners.drainAll(Duration.ZERO).orTimeout(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS).exceptionally(e -> null).join();
        if (cluster != null) {
            cluster.releaseWithdrawn();
        }
        transport.shutdownGracefully().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
        try {
            accessLogs.close(); // after the listeners: their last lines are written
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Snapshot snapshot() {
        return changes.snapshot();
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
        Snapshot s = changes.snapshot();
        return status.report(s, witness(), cluster == null ? null : cluster.status(s.version()), witness() ? null : tls.status(),
                dns.status());
    }

    @Override
    public HistoryReport history() {
        return history.report();
    }

    @Override
    public Map<String, Object> gslbVerdicts() {
        return dns.ownVerdicts();
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
        events.publish("cluster", changes.snapshot().config().node().id(), demoted ? "demoted by operator" : "available again (undemoted by operator)");
        return true;
    }

    /** Whether this node may own a VIP, and why not (see {@link ServePolicy}). */
    private ServeCheck serveCheck() {
        return new ServeCheck() {
            @Override
            public boolean canServe() {
                return servePolicy.unservable(true) == null;
            }

            @Override
            public boolean checked() {
                return servePolicy.vipPoolsChecked();
            }

            @Override
            public String whyNot() {
                return servePolicy.unservable(true);
            }
        };
    }

    private boolean witness() {
        return witness;
    }

    /** Whether {@code config} makes this node a witness (which a reload cannot change). */
    private static boolean isWitness(GatehouseConfig config) {
        var c = config.cluster();
        return c != null && c.members().stream().anyMatch(m -> m.id().equals(config.node().id())
                && m.role() == dev.gatehouse.config.ClusterConfig.Role.WITNESS);
    }

    private Path dataDir() {
        GatehouseConfig config = changes.snapshot().config();
        Path configured = config.node().dataDir();
        if (configured != null) {
            return configured;
        }
        return changes.baseDir().resolve("data").resolve(config.node().id());
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
        return changes.configYaml();
    }

    @Override
    public List<String> replaceConfig(String yaml) {
        return changes.replace(yaml);
    }

    @Override
    public ConfigAnswer canaryConfig(String yaml, String member, Duration watch, double maxErrorRate) {
        if (cluster == null) {
            return NodeControl.super.canaryConfig(yaml, member, watch, maxErrorRate);
        }
        return changes.canary(yaml, member, watch, maxErrorRate);
    }

    @Override
    public long configVersion() {
        return changes.snapshot().version();
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
