package dev.gatehouse.cluster;

import java.util.Map;

/**
 * One member's view of the cluster, for status pages and metrics.
 *
 * @param rejectedPeers TLS handshakes this member refused because the peer lacked the cluster key
 * @param config the cluster-wide config as this member has applied the log
 * @param malformedCommands log entries this member's state machine refused as malformed
 */
public record ClusterView(String self, long term, String leader, Map<String, VipState> vips,
        Map<String, MemberReport> members, ConfigState config, long rejectedPeers, long malformedCommands) {}
