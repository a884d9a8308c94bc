package dev.gatehouse.cluster;

import dev.gatehouse.cluster.ClusterState.Outcome;
import dev.gatehouse.time.Ticker;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the member's control thread does every tick: (1) fence its VIPs by their leases, (2) report whether it can
 * serve, (3) watch its peers come back, (4) offer its config seed, and (5) on the leader, run the
 * {@link Controller} and place leadership. Runs on the control thread only.
 */
final class ControlLoop {

    private static final Logger LOG = LoggerFactory.getLogger(ControlLoop.class);

    /** Who this member is and what it talks to. */
    record Parts(String self, boolean node, int priority, Roster roster, ServeCheck serveCheck, ClusterListener listener,
            ClusterTimings timings, Ticker ticker, Observations seen, ClusterStateMachine stateMachine, Controller controller,
            FenceLinks fence, RaftMember raft, ConfigSeed seed, Proposer proposer, Executor loop, Executor proposals) {}

    private final Parts p;
    private final Map<String, Keeper> keepers;
    private final Map<String, Boolean> controlInFlight = new LinkedHashMap<>();
    /** Whether each other node's reports were fresh at the last tick; a lapse followed by a fresh one is a return. */
    private final Map<String, Boolean> peersFresh = new LinkedHashMap<>();
    /** Whether each other member was live at the last tick (as the view's {@code heard} says); absent until first seen up. */
    private final Map<String, Boolean> membersLive = new LinkedHashMap<>();
    private volatile boolean demoted;
    private volatile long runningConfigVersion;
    private boolean wasLeader;
    private long leaderSince;
    private Long lastTransferAt;
    private Boolean lastReported;
    private long lastReportedVersion = -1;
    private long lastReportAt;
    private boolean reportInFlight;

    /**
     * @param keepers this node's VIP keepers by VIP name (none on a witness)
     * @param vips the name of every VIP the controller places (active_passive), in config order (the order it decides them in)
     */
    ControlLoop(Parts parts, Map<String, Keeper> keepers, List<String> vips) {
        this.p = parts;
        this.keepers = keepers;
        for (String vip : vips) {
            controlInFlight.put(vip, false);
        }
    }

    void demoted(boolean demoted) {
        this.demoted = demoted;
    }

    void configApplied(long version) {
        runningConfigVersion = version;
    }

    void tick() {
        if (!p.raft().started()) {
            return; // a fence link came up before the Raft server was built
        }
        try {
            ClusterState state = p.stateMachine().state();
            String unable = demoted ? "demoted by operator" : p.node() ? unservable() : p.self() + " cannot serve";
            boolean able = unable == null;
            String leader = p.raft().leaderId();
            String fenced = leader != null && !leader.equals(p.self()) && p.fence().broken(leader)
                    ? "self-fenced: the fence link to leader " + leader + " ended without a goodbye" : null;
            // fencing first: nothing else runs before every lease has been checked
            keepers.forEach((name, keeper) -> keeper.tick(state.vip(name), able, unable, demoted, fenced));
            report(able); // a witness too (never able): its reports say it is there
            watchMembers();
            p.seed().tick(state);
            p.controller().track(state, p.seen(), p.ticker().nanos());
            control(state);
        } catch (RuntimeException e) {
            LOG.error("cluster tick failed", e);
        }
    }

    /** Why this node cannot serve now, or null when it can; a check that fails counts as cannot. */
    private String unservable() {
        try {
            if (p.serveCheck().canServe()) {
                return null;
            }
            String why = p.serveCheck().whyNot();
            return why != null ? why : p.self() + " cannot serve";
        } catch (RuntimeException e) {
            LOG.warn("serve check failed; treating this node as unable to serve", e);
            return p.self() + " cannot serve";
        }
    }

    private void report(boolean able) {
        long now = p.ticker().nanos();
        long version = runningConfigVersion;
        boolean due = lastReported == null || lastReported != able || lastReportedVersion != version
                || now - lastReportAt >= p.timings().reportIntervalNanos();
        if (!due || reportInFlight) {
            return;
        }
        reportInFlight = true;
        p.proposer().propose(new Command.Report(p.self(), able, p.priority(), version)).whenCompleteAsync((outcome, error) -> {
            reportInFlight = false;
            if (outcome == Outcome.ACCEPTED) {
                lastReported = able;
                lastReportedVersion = version;
                lastReportAt = now;
            }
        }, p.loop());
    }

    /**
     * Tells the listener when a member that was live stops being live, and when it is live again. And a node that
     * comes back may have held the VIP while it was cut off (as far as clients that missed the takeover know), so on
     * its return an owner announces the VIP again: no client keeps a stale entry.
     */
    private void watchMembers() {
        long now = p.ticker().nanos();
        for (String id : p.roster().members().keySet()) {
            if (id.equals(p.self())) {
                continue;
            }
            boolean live = p.seen().live(id, now);
            Boolean wasLive = membersLive.get(id);
            if (wasLive != null || live) { // nothing to report of a member not heard from since this one started
                membersLive.put(id, live);
                if (wasLive != null && wasLive != live) {
                    if (live) {
                        p.listener().memberUp(id);
                    } else {
                        p.listener().memberDown(id);
                    }
                }
            }
            if (p.node() && p.roster().isNode(id)) {
                // two missed reports count as a lapse here (eligibility allows three): an announcement too many is cheap
                boolean fresh = p.seen().reportFresh(id, now, p.timings().reportIntervalNanos() * 2);
                Boolean wasFresh = peersFresh.put(id, fresh);
                if (fresh && Boolean.FALSE.equals(wasFresh)) {
                    p.listener().peerReturned(id);
                    keepers.values().forEach(Keeper::reannounce);
                }
            }
        }
    }

    private void control(ClusterState state) {
        boolean leader = p.raft().isReadyLeader();
        long now = p.ticker().nanos();
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
            Command command = p.controller().decide(p.roster().vips().get(vip), state, p.seen(), now, leaderSince);
            if (command != null) {
                entry.setValue(true);
                LOG.info("controller proposes {}", command);
                p.proposer().propose(command).whenCompleteAsync((outcome, error) -> controlInFlight.put(vip, false), p.loop());
            }
        }
    }

    /**
     * Hands leadership on when this leader is a node (see {@link LeaderPlacement}); at most once per few leases. A
     * witness, the usual leader, keeps it without asking Ratis for its followers' state every tick.
     */
    private void placeLeadership(ClusterState state, long now) {
        if (!p.node() || (lastTransferAt != null && now - lastTransferAt < p.timings().leaseNanos() * 5)) {
            return;
        }
        Map<String, Long> silence;
        try {
            silence = p.raft().followerSilence();
        } catch (IOException e) {
            return;
        }
        String target = LeaderPlacement.target(p.self(), p.roster(), state, silence, p.timings().electionMin().toMillis());
        if (target == null) {
            return;
        }
        lastTransferAt = now;
        LOG.info("leader {} is a node: handing leadership to {}", p.self(), target);
        p.proposals().execute(() -> {
            try {
                p.raft().transferLeadership(target, p.timings().leadershipTransferTimeout().toMillis());
            } catch (IOException e) {
                LOG.info("leadership not handed to {} ({}); staying leader", target, e.toString());
            }
        });
    }
}
