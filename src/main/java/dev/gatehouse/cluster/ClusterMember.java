package dev.gatehouse.cluster;

import dev.gatehouse.cluster.ClusterState.Outcome;
import dev.gatehouse.cluster.channel.ReplicatedChannel;
import dev.gatehouse.config.ClusterConfig;
import dev.gatehouse.config.ClusterConfig.MemberConfig;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.Role;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.time.WallClock;
import dev.gatehouse.vip.VipDriver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.ratis.server.DivisionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's membership in the cluster: a Ratis server for the member and a client to propose commands
 * ({@link RaftMember}), and a control thread that ticks the {@link ControlLoop} (fencing, reports, peer watch, the
 * {@link Controller} on the leader) and offers the {@link ConfigSeed}. One per process.
 */
public final class ClusterMember implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterMember.class);
    /** Attempts at one config change, each up to the client's own retries (a second or so under load). */
    private static final int CONFIG_TRIES = 8;

    private final String self;
    private final boolean node;
    private final Roster roster;
    private final ClusterListener listener;
    private final ClusterTimings timings;
    private final Ticker ticker;
    private final ClusterTls tls;
    private final Observations seen;
    private final ClusterStateMachine stateMachine;
    private final ChannelSync channels;
    private final FenceLinks fence;
    private final RaftMember raft;
    private final ConfigSeed seed;
    private final ControlLoop control;
    private final Map<String, Keeper> keepers = new LinkedHashMap<>();
    private final ScheduledExecutorService loop;
    /**
     * Proposals use the blocking client API on their own threads: Ratis' ordered async API closes its sliding
     * window for good after one request exhausts its retries, which a cut-off member must survive.
     */
    private final ExecutorService proposals;
    /** Channel payloads (see {@link ChannelSync}) propose on their own thread: a burst of them never delays a renewal. */
    private final ExecutorService channelProposals;
    private final AtomicBoolean tickQueued = new AtomicBoolean();

    /**
     * @param config the cluster section; every member must pass the same one
     * @param selfId this member's id in {@code config.members()}
     * @param storageDir where this member keeps its Raft log and snapshots
     * @param serveCheck whether this node can serve now; ignored for a witness
     * @param driver moves the VIPs; ignored for a witness
     */
    public ClusterMember(ClusterConfig config, String selfId, Path storageDir, ServeCheck serveCheck,
            VipDriver driver, ClusterListener listener, ClusterTimings timings, Ticker ticker) throws IOException {
        Objects.requireNonNull(config, "config");
        this.self = Objects.requireNonNull(selfId, "selfId");
        Objects.requireNonNull(storageDir, "storageDir");
        Objects.requireNonNull(serveCheck, "serveCheck");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.timings = Objects.requireNonNull(timings, "timings");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(driver, "driver");
        this.roster = Roster.of(config);
        MemberConfig me = roster.members().get(selfId);
        if (me == null) {
            throw new IllegalArgumentException("selfId " + selfId + " is not in cluster.members " + roster.members().keySet());
        }
        this.node = me.role() == Role.NODE;
        this.tls = new ClusterTls(ClusterKey.fromSecretFile(config.secretFile()));
        this.seen = new Observations(ticker, timings);
        this.channels = new ChannelSync(selfId, WallClock.system());
        this.stateMachine = new ClusterStateMachine(roster, seen, this::tickSoon, this::leaderChanged, channels,
                selfId, listener);
        this.fence = new FenceLinks(selfId, roster, tls.context(), seen, this::tickSoon, timings);
        this.loop = Executors.newSingleThreadScheduledExecutor(daemons("gatehouse-cluster-" + selfId));
        this.proposals = Executors.newFixedThreadPool(4, daemons("gatehouse-cluster-propose-" + selfId));
        this.channelProposals = Executors.newSingleThreadExecutor(daemons("gatehouse-cluster-channels-" + selfId));
        this.raft = new RaftMember(selfId, roster, RaftSetup.group(config.name(), roster), tls, storageDir, timings,
                stateMachine);
        this.seed = new ConfigSeed(selfId, this::propose, ticker, timings, loop);
        for (VipConfig vip : config.vips()) {
            if (node && vip.mode() == Mode.ACTIVE_ACTIVE) {
                keepers.put(vip.name(), new ActiveKeeper(vip, driver, listener, ticker, serveCheck::checked));
            } else if (node) {
                keepers.put(vip.name(), new VipKeeper(selfId, vip, driver, listener, this::propose, ticker, timings, loop,
                        id -> roster.members().get(id).address().host()));
            }
        }
        this.control = new ControlLoop(new ControlLoop.Parts(selfId, node, me.priority(), roster, serveCheck, listener, timings,
                ticker, seen, stateMachine, new Controller(roster, timings), fence, raft, seed, this::propose, loop, proposals),
                keepers, config.vips().stream().filter(v -> v.mode() == Mode.ACTIVE_PASSIVE).map(VipConfig::name).toList());
        warnIfFragile();
    }

    private static ThreadFactory daemons(String name) {
        return Thread.ofPlatform().daemon().name(name).factory();
    }

    private void warnIfFragile() {
        long nodes = roster.members().values().stream().filter(m -> m.role() == Role.NODE).count();
        if (roster.members().size() == 2 && roster.witnesses() == 0) {
            LOG.warn("*** cluster has {} nodes and no witness: a partition between them, or the loss of either, "
                    + "stops all VIP changes (no majority). Add a witness member on a third machine. ***", nodes);
        } else if (roster.members().size() % 2 == 0) {
            LOG.warn("cluster has an even number of members ({}); a witness would let it survive one more failure",
                    roster.members().size());
        }
    }

    /** Starts the Raft server and the control loop. */
    public void start() throws IOException {
        fence.start();
        raft.start();
        loop.scheduleWithFixedDelay(this::tick, 0, timings.tick().toNanos(), TimeUnit.NANOSECONDS);
        channels.start(command -> raft.propose(command, channelProposals));
    }

    /** Replicates what {@code channel} sends through the cluster (see {@link ChannelSync}); before {@link #start}. */
    public void register(ReplicatedChannel channel) {
        channels.register(channel);
    }

    /** Gives up every owned VIP gracefully and stops offering to own any until {@link #undemote()}. */
    public void demote() {
        control.demoted(true);
        tickSoon();
    }

    public void undemote() {
        control.demoted(false);
        tickSoon();
    }

    /**
     * This node now runs replicated config {@code version}; its next report says so, and only a node whose report
     * names the current version is granted a VIP.
     */
    public void configApplied(long version) {
        control.configApplied(version);
        tickSoon();
    }

    /**
     * Offers {@code text} (this process's cluster-wide config) as version 1 while the cluster has no config: each
     * node offers its own, the first committed wins, the others are refused as stale and follow it. A witness
     * offers nothing: it serves no traffic, so its file need not say what the nodes serve.
     */
    public void seedConfig(String text, String label) {
        if (!node) {
            return;
        }
        seed.offer(text, label);
        tickSoon();
    }

    /**
     * Validates {@code text} and proposes it as the next cluster-wide config, on trial on one node first when
     * {@code canary} is not null. Completes with the committed config, or with every error (invalid text, a
     * version taken meanwhile, no majority); never exceptionally.
     */
    public CompletableFuture<ConfigProposal> proposeConfig(String text, String label, CanaryPlan canary) {
        ConfigState current = stateMachine.state().config();
        Command.ConfigChange change = ConfigRules.change(text, current.lastVersion(), self, label, canary);
        List<String> errors = ConfigRules.check(change, current, roster);
        if (!errors.isEmpty()) {
            return CompletableFuture.completedFuture(ConfigProposal.refused(errors));
        }
        return proposeChange(change, CONFIG_TRIES);
    }

    /**
     * A config change is worth more patience than a report: it is tried again while no answer comes (an
     * election, a loaded host). An attempt that timed out may still have been committed, so a refusal is checked
     * against the state first: the same version with the same hash there means it went through.
     */
    private CompletableFuture<ConfigProposal> proposeChange(Command.ConfigChange change, int triesLeft) {
        return propose(change).handle((outcome, error) -> {
            if (outcome == Outcome.ACCEPTED || committed(change)) {
                return CompletableFuture.completedFuture(ConfigProposal.accepted(change.config()));
            }
            if (outcome == Outcome.REJECTED) {
                // validated before it was sent, so the state moved on: say how
                List<String> now = ConfigRules.check(change, stateMachine.state().config(), roster);
                return CompletableFuture.completedFuture(
                        ConfigProposal.refused(now.isEmpty() ? List.of(change.config().label() + ": refused by the cluster") : now));
            }
            if (triesLeft > 1 && !proposals.isShutdown()) {
                return proposeChange(change, triesLeft - 1);
            }
            return CompletableFuture.completedFuture(ConfigProposal.refused(List.of(change.config().label() + ": not committed: "
                    + (error == null ? String.valueOf(outcome) : rootMessage(error)) + " (is a majority of members up?)")));
        }).thenCompose(next -> next);
    }

    private boolean committed(Command.ConfigChange change) {
        ConfigState now = stateMachine.state().config();
        return java.util.stream.Stream.of(now.current(), now.canary())
                .anyMatch(c -> c != null && c.version() == change.config().version() && c.hash().equals(change.config().hash()));
    }

    /** This node, the canary of {@code version}, proposes to promote or roll it back; completes with whether it was committed. */
    public CompletableFuture<Boolean> proposeVerdict(long version, boolean promote, String reason) {
        return propose(new Command.CanaryVerdict(version, promote, reason)).handle((outcome, error) -> outcome == Outcome.ACCEPTED);
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.toString();
    }

    /** Whether this member serves {@code vip} right now. */
    public boolean owns(String vip) {
        Keeper keeper = keepers.get(vip);
        return keeper != null && onLoop(keeper::holds);
    }

    public ClusterView view() {
        ClusterState s = stateMachine.state();
        long term = 0;
        String leader = null;
        try {
            DivisionInfo info = raft.info();
            if (info != null) {
                term = info.getCurrentTerm();
                leader = info.getLeaderId() == null ? null : info.getLeaderId().toString();
            }
        } catch (IOException e) {
            LOG.debug("no division yet", e);
        }
        long now = ticker.nanos();
        boolean synced = node ? seen.reportFresh(self, now, timings.reportTtlNanos()) : leader != null;
        Map<String, ClusterView.Heard> heard = new LinkedHashMap<>();
        for (String id : roster.members().keySet()) {
            heard.put(id, new ClusterView.Heard(seen.live(id, now), seen.lastHeardMillis(id, now)));
        }
        return new ClusterView(self, term, leader, synced, s.vips(), s.reports(), s.config(), tls.rejectedPeers(),
                stateMachine.malformed(), heard);
    }

    /** Releases owned VIPs (telling the cluster if it still can), then stops. */
    @Override
    public void close() throws IOException {
        if (!loop.isShutdown()) {
            onLoop(() -> {
                keepers.values().forEach(k -> k.releaseNow("member shutting down"));
                return null;
            });
        }
        fence.close();
        stop();
    }

    /** Stops without releasing anything or saying goodbye, as a crash would; tests use it to stand in for kill -9. */
    void halt() throws IOException {
        fence.abort();
        stop();
    }

    private void stop() throws IOException {
        channels.close();
        loop.shutdownNow();
        proposals.shutdownNow();
        channelProposals.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        raft.close();
    }

    /** Test hook: proposals matching {@code drop} fail without reaching the log, as if this member were cut off. */
    void dropProposals(Predicate<Command> drop) {
        raft.dropProposals(drop);
    }

    /** Test hook: drops this member's fence link to {@code peer} without a goodbye, as a spurious reset would. */
    void dropFenceLink(String peer) {
        fence.drop(peer);
    }

    /** Has this member write a snapshot now rather than after its usual number of entries; for tests. */
    void snapshotNow() throws IOException {
        raft.snapshotNow();
    }

    /** The index of the last log entry this member applied; for tests. */
    long lastAppliedIndex() throws IOException {
        return raft.info().getLastAppliedIndex();
    }

    /** Submits raw bytes as a log entry, bypassing the codec; for tests of malformed entries. */
    CompletableFuture<Outcome> proposeRaw(byte[] bytes) {
        return raft.proposeRaw(bytes, proposals);
    }

    private CompletableFuture<Outcome> propose(Command command) {
        return raft.propose(command, proposals);
    }

    private void tickSoon() {
        if (!loop.isShutdown() && tickQueued.compareAndSet(false, true)) {
            try {
                loop.execute(this::tick);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                tickQueued.set(false);
            }
        }
    }

    private void tick() {
        tickQueued.set(false);
        control.tick();
    }

    private void leaderChanged(String leader) {
        tickSoon();
        loop.execute(() -> {
            listener.termChanged(view().term(), leader);
            keepers.values().forEach(Keeper::reannounce);
        });
    }

    private <T> T onLoop(java.util.concurrent.Callable<T> task) {
        try {
            return loop.submit(task).get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cluster control thread did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
