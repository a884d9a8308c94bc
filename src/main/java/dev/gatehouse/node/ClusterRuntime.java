package dev.gatehouse.node;

import dev.gatehouse.admin.Events;
import dev.gatehouse.admin.StatusReport;
import dev.gatehouse.cluster.ClusterListener;
import dev.gatehouse.cluster.ClusterMember;
import dev.gatehouse.cluster.ClusterTimings;
import dev.gatehouse.cluster.CanaryPlan;
import dev.gatehouse.cluster.ClusterView;
import dev.gatehouse.cluster.ConfigProposal;
import dev.gatehouse.cluster.MemberReport;
import dev.gatehouse.cluster.ReplicatedConfig;
import dev.gatehouse.cluster.ServeCheck;
import dev.gatehouse.cluster.VipState;
import dev.gatehouse.cluster.channel.ReplicatedChannel;
import dev.gatehouse.config.BgpConfig;
import dev.gatehouse.config.ClusterConfig;
import dev.gatehouse.config.ClusterConfig.MemberConfig;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.config.EventKind;
import dev.gatehouse.guard.ExitReset;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.vip.ArpVipDriver;
import dev.gatehouse.vip.BgpVipDriver;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.function.LongSupplier;

/**
 * This process as a cluster member: consensus through {@link ClusterMember}, VIPs moved by a driver that
 * binds and releases the node's {@code vip:} listeners, stick tables replicated, committed configs handed to the
 * node, and every change reported to events and metrics.
 */
final class ClusterRuntime implements ClusterListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterRuntime.class);

    private final ClusterConfig config;
    private final String self;
    private final Events events;
    private final Metrics metrics;
    private final ClusterMember member;
    private final VipBinding vips;
    /** Null without {@code node.bgp}. */
    private final BgpRuntime bgp;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Consumer<ReplicatedConfig> configs;

    /**
     * @param channels what the node shares with the other members beside the cluster's own state
     * @param configs receives each config that becomes current, in log order, without blocking
     * @param runningVersion the replicated config version the node runs (0: none yet)
     * @param bgp this node's BGP speaker settings; null: none
     */
    ClusterRuntime(ClusterConfig config, BgpConfig bgp, String self, Path dataDir, ListenerSet listeners, ServeCheck serveCheck,
            List<ReplicatedChannel> channels, Consumer<ReplicatedConfig> configs, LongSupplier runningVersion,
            Events events, Metrics metrics, Ticker ticker) throws IOException {
        this.config = config;
        this.self = self;
        this.events = events;
        this.metrics = metrics;
        this.configs = configs;
        ClusterTimings timings = ClusterTimings.forLease(config.lease());
        listeners.warmUpVipListeners();
        ExitReset.start();
        boolean anyArp = config.vips().stream().anyMatch(v -> v.driver() == ClusterConfig.Driver.ARP);
        this.bgp = bgp == null ? null : BgpRuntime.start(bgp, ticker, metrics,
                (peer, detail) -> events.publish("bgp", peer, detail));
        try {
            this.vips = new VipBinding(listeners, anyArp ? ArpVipDriver.create(timings.lease(), ticker,
                    this::splitSuspected) : null,
                    this.bgp == null ? null : BgpVipDriver.create(this.bgp.speaker(), timings.lease(),
                            this.bgp.gracefulShutdown(), peerHosts(config, self),
                            (vip, detail) -> events.publish("bgp", vip, detail)));
            this.member = new ClusterMember(config, self, dataDir, serveCheck, vips, this, timings, ticker);
        } catch (IOException | RuntimeException e) {
            if (this.bgp != null) {
                this.bgp.close(); // its sessions would otherwise outlive a node that failed to start
            }
            throw e;
        }
        channels.forEach(member::register);
        for (VipConfig vip : config.vips()) {
            metrics.gauge("gatehouse_vip_owned", "1 while this node holds the VIP", () -> member.owns(vip.name()) ? 1 : 0,
                    "vip", vip.name());
        }
        for (MemberConfig m : config.members()) {
            metrics.gauge("gatehouse_cluster_member_up", "1 while this node hears from the member (reports fresh, process not exited)",
                    () -> member.view().heard().get(m.id()).up() ? 1 : 0, "member", m.id());
        }
        metrics.gauge("gatehouse_cluster_term", "Raft term this member is in", () -> member.view().term());
        metrics.gauge("gatehouse_cluster_rejected_peers", "TLS handshakes refused: the peer lacked the cluster key",
                () -> member.view().rejectedPeers());
        metrics.gauge("gatehouse_cluster_malformed_commands", "Replicated commands refused as malformed",
                () -> member.view().malformedCommands());
        metrics.gauge("gatehouse_config_cluster_version", "Version of the cluster's current config (0: none yet)",
                () -> clusterVersion(member.view()));
        metrics.gauge("gatehouse_config_current", "1 while this node runs the cluster's current config",
                () -> current(member.view(), runningVersion.getAsLong()) ? 1 : 0);
    }

    /** The cluster addresses of the other nodes (not witnesses): where packets of moved active-active flows go. */
    private static List<String> peerHosts(ClusterConfig config, String self) {
        return config.members().stream().filter(m -> m.role() == ClusterConfig.Role.NODE && !m.id().equals(self))
                .map(m -> m.address().host()).toList();
    }

    private static long clusterVersion(ClusterView view) {
        return view.config().currentVersion();
    }

    /** Whether this node runs what the cluster says it should: the current config, or the canary on trial here. */
    private boolean current(ClusterView view, long runningVersion) {
        ReplicatedConfig mine = view.config().runFor(self);
        return (mine == null ? 0 : mine.version()) == runningVersion;
    }

    void seedConfig(String text, String label) {
        member.seedConfig(text, label);
    }

    CompletableFuture<ConfigProposal> proposeConfig(String text, String label, CanaryPlan canary) {
        return member.proposeConfig(text, label, canary);
    }

    CompletableFuture<Boolean> proposeVerdict(long version, boolean promote, String reason) {
        return member.proposeVerdict(version, promote, reason);
    }

    @Override
    public void canary(ReplicatedConfig canary, String outcome, String reason) {
        events.publish(outcome.equals("rolled back") ? EventKind.CONFIG_ROLLED_BACK : EventKind.CANARY,
                "version " + canary.version(), "canary on " + canary.canary().member() + " " + outcome + ": " + reason);
        Counter.builder("gatehouse_config_canaries").description("Canary configs started, promoted and rolled back")
                .tags("outcome", outcome.replace(' ', '_')).register(metrics.registry()).increment();
    }

    void configApplied(long version) {
        member.configApplied(version);
    }

    @Override
    public void configCommitted(ReplicatedConfig committed) {
        configs.accept(committed);
    }

    void start() throws IOException {
        member.start();
    }

    void demote() {
        member.demote();
    }

    void undemote() {
        member.undemote();
    }

    @Override
    public void vipAcquired(String vip, long epoch, String reason) {
        change(vip, "acquired", epoch, reason);
    }

    @Override
    public void vipReleased(String vip, long epoch, String reason) {
        change(vip, "released", epoch, reason);
    }

    @Override
    public void vipAnnouncement(String vip, String change, String reason) {
        events.publish(EventKind.FAILOVER, vip, self + " " + change + " it: " + reason);
        count(vip, change);
    }

    private void change(String vip, String what, long epoch, String reason) {
        events.publish(EventKind.FAILOVER, vip, self + " " + what + " it (epoch " + epoch + "): " + reason);
        count(vip, what);
    }

    private void count(String vip, String change) {
        Counter.builder("gatehouse_vip_changes")
                .description("VIPs acquired and released (active_active: announced, leaving, withdrawn, released) by this node")
                .tags("vip", vip, "change", change).register(metrics.registry()).increment();
    }

    @Override
    public void leaseRenewal(String vip, long nanos, boolean committed) {
        metrics.latency("gatehouse_cluster_lease_renewal", "VIP lease renewals, from proposal to outcome",
                "vip", vip, "outcome", committed ? "committed" : "failed").record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void leaseExpired(String vip) {
        events.publish(EventKind.LEASE_LOST, vip, self + " lost its lease unrenewed and stops serving");
        Counter.builder("gatehouse_cluster_lease_expired").description("VIP leases this node lost unrenewed")
                .tags("vip", vip).register(metrics.registry()).increment();
    }

    @Override
    public void termChanged(long term, String leader) {
        events.publish("cluster", "term " + term, leader == null ? "no leader" : "leader " + leader);
    }

    @Override
    public void peerReturned(String member) {
        events.publish("cluster", member, member + " is back; held VIPs announced again");
    }

    @Override
    public void memberDown(String member) {
        events.publish(EventKind.MEMBER_DOWN, member, member + " is not heard from (reports lapsed or process exited)");
    }

    @Override
    public void memberUp(String member) {
        events.publish(EventKind.MEMBER_UP, member, member + " is heard from again");
    }

    @Override
    public void splitSuspected(String vip, String why) {
        events.publish(EventKind.SPLIT_SUSPECTED, vip, why);
    }

    /** @param runningVersion the replicated config version this node runs */
    StatusReport.ClusterStatus status(long runningVersion) {
        ClusterView view = member.view();
        List<StatusReport.MemberStatus> members = new ArrayList<>();
        for (MemberConfig m : config.members()) {
            MemberReport r = view.members().get(m.id());
            ClusterView.Heard heard = view.heard().get(m.id());
            members.add(new StatusReport.MemberStatus(m.id(), m.address().toString(), m.role().name().toLowerCase(),
                    m.priority(), heard.up(), heard.lastHeardMillis(), view.canServe(m.id()), r == null ? 0 : r.configVersion()));
        }
        List<StatusReport.VipStatus> vips = new ArrayList<>();
        for (VipConfig v : config.vips()) {
            VipState s = view.vips().get(v.name());
            vips.add(new StatusReport.VipStatus(v.name(), v.address(), v.driver().name().toLowerCase(),
                    v.mode().name().toLowerCase(), s == null ? null : s.owner(), s == null ? 0 : s.epoch(),
                    s == null ? null : s.reason(), member.owns(v.name()),
                    v.mode() == ClusterConfig.Mode.ACTIVE_ACTIVE ? announcers(v, members) : List.of()));
        }
        ReplicatedConfig current = view.config().current();
        ReplicatedConfig canary = view.config().canary();
        return new StatusReport.ClusterStatus(config.name(), view.leader(), view.term(), view.synced(), members, vips,
                view.rejectedPeers(), view.malformedCommands(), clusterVersion(view),
                current == null ? null : current.hash(), current(view, runningVersion),
                canary == null ? null : "version " + canary.version() + " on " + canary.canary().member(),
                bgp == null ? List.of() : bgp.status());
    }

    /**
     * Before a planned stop: announces every route with GRACEFUL_SHUTDOWN and waits {@code node.bgp.graceful_shutdown}
     * so routers move new flows elsewhere while this node still serves (RFC 8326); nothing without BGP.
     */
    void withdrawGracefully() {
        if (bgp != null) {
            bgp.withdrawGracefully();
        }
    }

    /**
     * Who announces an active-active VIP: this node as its keeper says, every other node that is up and whose last
     * report says it can serve (the rule each node announces by).
     */
    private List<String> announcers(VipConfig vip, List<StatusReport.MemberStatus> members) {
        return members.stream().filter(m -> m.id().equals(self) ? member.owns(vip.name())
                : m.role().equals("node") && m.up() && m.canServe()).map(StatusReport.MemberStatus::id).toList();
    }

    /**
     * Takes away the addresses of the active-active VIPs this node withdrew on its way out (it kept them while its
     * connections drained); after the listeners are drained.
     */
    void releaseWithdrawn() {
        for (VipConfig vip : config.vips()) {
            if (vip.mode() == ClusterConfig.Mode.ACTIVE_ACTIVE) {
                try {
                    vips.release(vip);
                } catch (Exception e) {
                    LOG.warn("VIP {}: address not taken away ({})", vip.name(), e.toString());
                }
            }
        }
    }

    /** Stops the member, then the BGP speaker; a second call (a shutdown ends with the node's close) does nothing. */
    @Override
    public void close() throws IOException {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            member.close();
        } finally {
            if (bgp != null) {
                bgp.close();
            }
        }
    }
}
