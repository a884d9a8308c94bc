package dev.gatehouse.cluster;

import dev.gatehouse.config.ClusterConfig.Preempt;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import java.util.Comparator;
import java.util.Map;

/**
 * Who should own each VIP; run on the Raft leader only. A pure decision over the replicated state and this
 * member's observation times: it proposes at most one command per VIP and tick, and the state machine's
 * epoch/version checks void any proposal that raced with a renewal or with another leader's proposal.
 */
final class Controller {

    private final Roster roster;
    private final ClusterTimings timings;

    Controller(Roster roster, ClusterTimings timings) {
        this.roster = roster;
        this.timings = timings;
    }

    /** The command to propose for {@code vip} now, or null. {@code leaderSince}: when this member became leader. */
    Command decide(VipConfig vip, ClusterState state, Observations seen, long now, long leaderSince) {
        VipState v = state.vip(vip.name());
        if (!v.owned()) {
            String best = best(state, seen, now, null);
            // the first grant waits a moment for every node, so a node that came up a little later is not passed over
            boolean settling = v.epoch() == 0 && !allNodesEligible(state, seen, now) && now - leaderSince < timings.settleNanos();
            if (best == null || settling) {
                return null;
            }
            String reason = v.epoch() == 0 ? "first owner: " + describe(state, best) : v.reason();
            return new Command.Grant(vip.name(), best, v.epoch() + 1, v.version(), reason);
        }
        String owner = v.owner();
        // a confirmed exit needs no wait: the process that held the lease is gone, and took its listeners with it
        String gone = seen.exitConfirmed(owner) ? "owner " + owner + " process exited"
                : leaseExpired(vip.name(), seen, now) ? "owner " + owner + " lease expired" : null;
        if (gone != null) {
            String next = best(state, seen, now, owner);
            if (next == null) {
                next = best(state, seen, now, null);
            }
            return next == null ? null : new Command.Grant(vip.name(), next, v.epoch() + 1, v.version(), gone);
        }
        Preempt preempt = vip.preempt();
        if (v.handover() == null && preempt != null && preempt.enabled()) {
            String best = best(state, seen, now, null);
            if (best != null && !best.equals(owner) && priority(state, best) > priority(state, owner)) {
                Long since = seen.ableSince(best);
                long delay = preempt.delay() == null ? 0 : preempt.delay().toNanos();
                if (since != null && now - since >= delay) {
                    return new Command.Handover(vip.name(), v.epoch(), "preempted by " + describe(state, best));
                }
            }
        }
        return null;
    }

    /**
     * Keeps this member's observations honest; runs every tick on every member (not only the leader), so that a
     * member that becomes leader judges with the same history: the owner of a VIP whose lease ran out is no longer
     * live, and a node that could not be granted a VIP right now (not live, unable, not on the current config)
     * starts its time as able again, so preemption waits for the whole delay after its last lapse.
     */
    void track(ClusterState state, Observations seen, long now) {
        state.vips().forEach((name, v) -> {
            if (v.owned() && leaseExpired(name, seen, now)) {
                seen.lapsed(v.owner(), now);
            }
        });
        for (String id : roster.members().keySet()) {
            if (roster.isNode(id) && !eligible(state, seen, now, id)) {
                seen.notEligible(id);
            }
        }
    }

    private boolean leaseExpired(String vip, Observations seen, long now) {
        return now - seen.renewSeen(vip, now) > timings.grantDelayNanos();
    }

    /** The node that should own: able, running the current config, recently heard from, highest priority, ties to the smaller id. */
    private String best(ClusterState state, Observations seen, long now, String exclude) {
        return state.reports().entrySet().stream()
                .filter(e -> !e.getKey().equals(exclude) && eligible(state, seen, now, e.getKey()))
                .min(Comparator.comparingInt((Map.Entry<String, MemberReport> e) -> -e.getValue().priority())
                        .thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey)
                .orElse(null);
    }

    /**
     * Whether {@code member} may be granted a VIP: a live node (see {@link Observations}) whose last report says it
     * can serve, running the current config (a dead, restarted, lagging or refusing node is not granted).
     */
    private boolean eligible(ClusterState state, Observations seen, long now, String member) {
        MemberReport r = state.reports().get(member);
        return r != null && roster.isNode(member) && r.canServe()
                && seen.live(member, now)
                && r.configVersion() == state.config().expectedVersion(member);
    }

    private boolean allNodesEligible(ClusterState state, Observations seen, long now) {
        return roster.members().keySet().stream()
                .filter(roster::isNode)
                .allMatch(id -> eligible(state, seen, now, id));
    }

    private int priority(ClusterState state, String member) {
        MemberReport r = state.reports().get(member);
        return r != null ? r.priority() : roster.priority(member);
    }

    private String describe(ClusterState state, String member) {
        return member + " (priority " + priority(state, member) + ")";
    }
}
