package dev.gatehouse.cluster;

import java.util.Map;

/**
 * One member's view of the cluster, for status pages and metrics.
 *
 * @param synced whether this member takes part in the log right now: a node has applied its own latest report
 *     within the report lifetime (so its proposals commit and the leader's entries reach it), a witness knows a
 *     leader. A restarted member says false until it has caught up.
 * @param rejectedPeers TLS handshakes this member refused because the peer lacked the cluster key
 * @param config the cluster-wide config as this member has applied the log
 * @param malformedCommands log entries this member's state machine refused as malformed
 * @param heard per member: whether it is live as this member sees it (its reports fresh, its process not known to
 *     have exited), and how long ago this member applied its last report
 */
public record ClusterView(String self, long term, String leader, boolean synced, Map<String, VipState> vips,
        Map<String, MemberReport> members, ConfigState config, long rejectedPeers, long malformedCommands,
        Map<String, Heard> heard) {

    /** @param lastHeardMillis -1 if never heard from */
    public record Heard(boolean up, long lastHeardMillis) {}

    /** Whether {@code member} is live and its last report says it can serve. */
    public boolean canServe(String member) {
        MemberReport r = members.get(member);
        Heard h = heard.get(member);
        return r != null && r.canServe() && h != null && h.up();
    }
}
