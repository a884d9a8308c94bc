package dev.gatehouse.cluster;

import dev.gatehouse.cluster.ClusterState.Outcome;
import dev.gatehouse.config.ClusterConfig;
import dev.gatehouse.config.ClusterConfig.MemberConfig;
import dev.gatehouse.config.ClusterConfig.Role;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.limit.UsageExchange;
import dev.gatehouse.stick.StickTables;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's membership in the cluster: a Ratis server for the member, a client to propose commands, and a
 * control thread that every tick (1) fences its VIPs by their leases, (2) reports whether it can serve, and
 * (3) on the leader, runs the {@link Controller}. One per process.
 */
public final class ClusterMember implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterMember.class);
    /** Attempts at one config change, each up to the client's own retries (a second or so under load). */
    private static final int CONFIG_TRIES = 8;

    private final String self;
    private final boolean node;
    private final int priority;
    private final Roster roster;
    private final RaftGroup group;
    private final ServeCheck serveCheck;
    private final ClusterListener listener;
    private final ClusterTimings timings;
    private final Ticker ticker;
    private final ClusterTls tls;
    private final Path storageDir;
    private final Observations seen;
    private final ClusterStateMachine stateMachine;
    private final SessionSync sessions;
    private final Controller controller;
    private final FenceLinks fence;
    private final Map<String, VipKeeper> keepers = new LinkedHashMap<>();
    private final Map<String, Boolean> controlInFlight = new LinkedHashMap<>();
    /** Whether each other node's reports were fresh at the last tick; a lapse followed by a fresh one is a return. */
    private final Map<String, Boolean> peersFresh = new LinkedHashMap<>();
    /** Whether each other member was live at the last tick (as the view's {@code heard} says); absent until first seen up. */
    private final Map<String, Boolean> membersLive = new LinkedHashMap<>();
    private final ScheduledExecutorService loop;
    /**
     * Proposals use the blocking client API on their own threads: Ratis' ordered async API closes its sliding
     * window for good after one request exhausts its retries, which a cut-off member must survive.
     */
    private final ExecutorService proposals;
    /** Session updates (see {@link SessionSync}) propose on their own thread: a burst of them never delays a renewal. */
    private final ExecutorService sessionProposals;
    private final AtomicBoolean tickQueued = new AtomicBoolean();

    private volatile boolean demoted;
    private volatile long runningConfigVersion;
    /** The config this member offers as version 1 while the cluster has none; null once there is one. */
    private volatile Command.ConfigChange seed;
    private boolean seedInFlight;
    private long seedOfferedAt;
    private volatile Predicate<Command> dropProposals = c -> false;
    private volatile RaftServer server;
    private RaftClient client;
    private boolean wasLeader;
    private long leaderSince;
    private Long lastTransferAt;
    private Boolean lastReported;
    private long lastReportedVersion = -1;
    private long lastReportAt;
    private boolean reportInFlight;

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
        this.storageDir = Objects.requireNonNull(storageDir, "storageDir");
        this.serveCheck = Objects.requireNonNull(serveCheck, "serveCheck");
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
        this.priority = me.priority();
        this.tls = new ClusterTls(ClusterKey.fromSecretFile(config.secretFile()));
        this.group = RaftSetup.group(config.name(), roster);
        this.seen = new Observations(ticker, timings);
        this.sessions = new SessionSync(selfId, WallClock.system());
        this.stateMachine = new ClusterStateMachine(roster, seen, this::tickSoon, this::leaderChanged, sessions,
                selfId, listener);
        this.controller = new Controller(roster, timings);
        this.fence = new FenceLinks(selfId, roster, tls.context(), seen, this::tickSoon, timings);
        this.loop = Executors.newSingleThreadScheduledExecutor(daemons("gatehouse-cluster-" + selfId));
        this.proposals = Executors.newFixedThreadPool(4, daemons("gatehouse-cluster-propose-" + selfId));
        this.sessionProposals = Executors.newSingleThreadExecutor(daemons("gatehouse-cluster-sessions-" + selfId));
        for (VipConfig vip : config.vips()) {
            controlInFlight.put(vip.name(), false);
            if (node) {
                keepers.put(vip.name(), new VipKeeper(selfId, vip, driver, listener, this::propose, ticker, timings, loop,
                        id -> roster.members().get(id).address().host()));
            }
        }
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
        var properties = RaftSetup.properties(roster.members().get(self), storageDir, timings);
        var parameters = RaftSetup.parameters(tls);
        server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(self))
                .setGroup(group)
                .setStateMachine(stateMachine)
                .setProperties(properties)
                .setParameters(parameters)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        server.start();
        client = RaftClient.newBuilder()
                .setClientId(ClientId.randomId())
                .setRaftGroup(group)
                .setProperties(properties)
                .setParameters(parameters)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3,
                        TimeDuration.valueOf(timings.tick().toMillis(), TimeUnit.MILLISECONDS)))
                .build();
        loop.scheduleWithFixedDelay(this::tick, 0, timings.tick().toNanos(), TimeUnit.NANOSECONDS);
        sessions.start(command -> propose(command, sessionProposals));
    }

    /**
     * Replicates {@code tables} and, unless null, {@code usage} through the cluster (see {@link SessionSync}).
     * Call before {@link #start}; without it the member still keeps the tables it is sent, for its peers' sake.
     */
    public void replicate(StickTables tables, UsageExchange usage) {
        sessions.attach(tables, usage);
    }

    /** Gives up every owned VIP gracefully and stops offering to own any until {@link #undemote()}. */
    public void demote() {
        demoted = true;
        tickSoon();
    }

    public void undemote() {
        demoted = false;
        tickSoon();
    }

    /**
     * This node now runs replicated config {@code version}; its next report says so, and only a node whose report
     * names the current version is granted a VIP.
     */
    public void configApplied(long version) {
        runningConfigVersion = version;
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
        seed = ConfigRules.change(text, 0, self, label, null);
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
        VipKeeper keeper = keepers.get(vip);
        return keeper != null && onLoop(keeper::holds);
    }

    public ClusterView view() {
        ClusterState s = stateMachine.state();
        long term = 0;
        String leader = null;
        if (server != null) {
            try {
                DivisionInfo info = server.getDivision(group.getGroupId()).getInfo();
                term = info.getCurrentTerm();
                leader = info.getLeaderId() == null ? null : info.getLeaderId().toString();
            } catch (IOException e) {
                LOG.debug("no division yet", e);
            }
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
        sessions.close();
        loop.shutdownNow();
        proposals.shutdownNow();
        sessionProposals.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Test hook: proposals matching {@code drop} fail without reaching the log, as if this member were cut off. */
    void dropProposals(Predicate<Command> drop) {
        this.dropProposals = drop;
    }

    /** Test hook: drops this member's fence link to {@code peer} without a goodbye, as a spurious reset would. */
    void dropFenceLink(String peer) {
        fence.drop(peer);
    }

    /** Has this member write a snapshot now rather than after its usual number of entries; for tests. */
    void snapshotNow() throws IOException {
        RaftClientReply reply = client.getSnapshotManagementApi(RaftPeerId.valueOf(self)).create(true, 5000);
        if (!reply.isSuccess()) {
            throw new IOException("snapshot refused", reply.getException());
        }
    }

    /** Submits raw bytes as a log entry, bypassing the codec; for tests of malformed entries. */
    CompletableFuture<Outcome> proposeRaw(byte[] bytes) {
        return proposeRaw(bytes, proposals);
    }

    private CompletableFuture<Outcome> proposeRaw(byte[] bytes, ExecutorService on) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                RaftClientReply reply = client.io().send(Message.valueOf(ByteString.copyFrom(bytes)));
                if (!reply.isSuccess()) {
                    throw new CompletionException(reply.getException());
                }
                return Outcome.valueOf(reply.getMessage().getContent().toStringUtf8());
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, on);
    }

    private CompletableFuture<Outcome> propose(Command command) {
        return propose(command, proposals);
    }

    private CompletableFuture<Outcome> propose(Command command, ExecutorService on) {
        if (dropProposals.test(command)) {
            return CompletableFuture.failedFuture(new IOException("dropped by test hook"));
        }
        return proposeRaw(CommandCodec.encode(command), on);
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
        if (server == null) {
            return; // a fence link came up before the Raft server was built
        }
        try {
            ClusterState state = stateMachine.state();
            boolean able = node && !demoted && safeServeCheck();
            String unable = demoted ? "demoted by operator" : self + " cannot serve";
            String leader = leaderId();
            String fenced = leader != null && !leader.equals(self) && fence.broken(leader)
                    ? "self-fenced: the fence link to leader " + leader + " ended without a goodbye" : null;
            // fencing first: nothing else runs before every lease has been checked
            keepers.forEach((name, keeper) -> keeper.tick(state.vip(name), able, unable, demoted, fenced));
            report(able); // a witness too (never able): its reports say it is there
            if (node) {
                watchPeers();
            }
            watchMembers();
            offerSeed(state);
            controller.track(state, seen, ticker.nanos());
            control(state);
        } catch (RuntimeException e) {
            LOG.error("cluster tick failed", e);
        }
    }

    private boolean safeServeCheck() {
        try {
            return serveCheck.canServe();
        } catch (RuntimeException e) {
            LOG.warn("serve check failed; treating this node as unable to serve", e);
            return false;
        }
    }

    private void report(boolean able) {
        long now = ticker.nanos();
        long version = runningConfigVersion;
        boolean due = lastReported == null || lastReported != able || lastReportedVersion != version
                || now - lastReportAt >= timings.reportIntervalNanos();
        if (!due || reportInFlight) {
            return;
        }
        reportInFlight = true;
        propose(new Command.Report(self, able, priority, version)).whenCompleteAsync((outcome, error) -> {
            reportInFlight = false;
            if (outcome == Outcome.ACCEPTED) {
                lastReported = able;
                lastReportedVersion = version;
                lastReportAt = now;
            }
        }, loop);
    }

    /**
     * A node that comes back may have held the VIP while it was cut off (as far as clients that missed the
     * takeover know), so on its return the owner announces the VIP again: no client keeps a stale entry.
     */
    private void watchPeers() {
        long now = ticker.nanos();
        for (String id : roster.members().keySet()) {
            if (id.equals(self) || !roster.isNode(id)) {
                continue;
            }
            // two missed reports count as a lapse here (eligibility allows three): an announcement too many is cheap
            boolean fresh = seen.reportFresh(id, now, timings.reportIntervalNanos() * 2);
            Boolean before = peersFresh.put(id, fresh);
            if (fresh && Boolean.FALSE.equals(before)) {
                listener.peerReturned(id);
                keepers.values().forEach(VipKeeper::reannounce);
            }
        }
    }

    /** Tells the listener when a member that was live stops being live, and when it is live again. */
    private void watchMembers() {
        long now = ticker.nanos();
        for (String id : roster.members().keySet()) {
            if (id.equals(self)) {
                continue;
            }
            boolean live = seen.live(id, now);
            Boolean before = membersLive.get(id);
            if (before == null && !live) {
                continue; // not heard from since this member started: nothing to report yet
            }
            membersLive.put(id, live);
            if (before != null && before != live) {
                if (live) {
                    listener.memberUp(id);
                } else {
                    listener.memberDown(id);
                }
            }
        }
    }

    private void offerSeed(ClusterState state) {
        Command.ConfigChange offer = seed;
        long now = ticker.nanos();
        // at most once a report interval: while there is no leader, every offer fails, and they are not free
        if (offer == null || seedInFlight || (seedOfferedAt != 0 && now - seedOfferedAt < timings.reportIntervalNanos())) {
            return;
        }
        if (state.config().lastVersion() != 0) {
            seed = null;
            return;
        }
        seedInFlight = true;
        seedOfferedAt = now;
        propose(offer).whenCompleteAsync((outcome, error) -> {
            seedInFlight = false;
            if (outcome != null) {
                seed = null; // committed, or refused because another member's seed won
            }
        }, loop);
    }

    private void control(ClusterState state) {
        boolean leader = isReadyLeader();
        long now = ticker.nanos();
        if (leader && !wasLeader) {
            leaderSince = now;
        }
        wasLeader = leader;
        if (!leader) {
            return;
        }
        placeLeadership(state, now);
        for (var entry : controlInFlight.entrySet()) {
            String vip = entry.getKey();
            if (entry.getValue()) {
                continue;
            }
            Command command = controller.decide(roster.vips().get(vip), state, seen, now, leaderSince);
            if (command != null) {
                entry.setValue(true);
                LOG.info("controller proposes {}", command);
                propose(command).whenCompleteAsync((outcome, error) -> controlInFlight.put(vip, false), loop);
            }
        }
    }

    /**
     * Hands leadership on when this leader is a node (see {@link LeaderPlacement}); at most once per few leases. A
     * witness, the usual leader, keeps it without asking Ratis for its followers' state every tick.
     */
    private void placeLeadership(ClusterState state, long now) {
        if (!node || (lastTransferAt != null && now - lastTransferAt < timings.leaseNanos() * 5)) {
            return;
        }
        Map<String, Long> silence = new LinkedHashMap<>();
        try {
            server.getDivision(group.getGroupId()).getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList()
                    .forEach(f -> silence.put(f.getId().getId().toStringUtf8(), f.getLastRpcElapsedTimeMs()));
        } catch (IOException e) {
            return;
        }
        String target = LeaderPlacement.target(self, roster, state, silence, timings.electionMin().toMillis());
        if (target == null) {
            return;
        }
        lastTransferAt = now;
        LOG.info("leader {} owns a VIP: handing leadership to {}", self, target);
        proposals.execute(() -> {
            try {
                client.admin().transferLeadership(RaftPeerId.valueOf(target), timings.lease().toMillis());
            } catch (IOException e) {
                LOG.info("leadership not handed to {} ({}); staying leader", target, e.toString());
            }
        });
    }

    private String leaderId() {
        try {
            RaftPeerId id = server.getDivision(group.getGroupId()).getInfo().getLeaderId();
            return id == null ? null : id.toString();
        } catch (IOException e) {
            return null;
        }
    }

    private boolean isReadyLeader() {
        try {
            DivisionInfo info = server.getDivision(group.getGroupId()).getInfo();
            return info.isLeader() && info.isLeaderReady();
        } catch (IOException e) {
            return false;
        }
    }

    private void leaderChanged(String leader) {
        tickSoon();
        loop.execute(() -> {
            listener.termChanged(view().term(), leader);
            keepers.values().forEach(VipKeeper::reannounce);
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
