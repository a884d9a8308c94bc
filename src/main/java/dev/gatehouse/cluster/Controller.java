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
        if (now - seen.renewSeen(vip.name(), now) > timings.grantDelayNanos()) {
            String next = best(state, seen, now, owner);
            if (next == null) {
                next = best(state, seen, now, null);
            }
            return next == null ? null : new Command.Grant(vip.name(), next, v.epoch() + 1, v.version(),
                    "owner " + owner + " lease expired");
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
     * Whether {@code member} may be granted a VIP: a node that reported lately that it can serve, running the
     * current config (a restarted, lagging or refusing node is not granted).
     */
    private boolean eligible(ClusterState state, Observations seen, long now, String member) {
        MemberReport r = state.reports().get(member);
        return r != null && roster.isNode(member) && r.canServe()
                && seen.reportFresh(member, now, timings.reportTtlNanos())
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
