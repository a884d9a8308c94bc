package dev.gatehouse.admin;

import dev.gatehouse.gslb.GslbStatus;
import java.util.List;

/** What {@code GET /api/v1/status} answers, and what {@code gatehouse status} prints. */
public record StatusReport(
        String node,
        String role,
        long configVersion,
        String configHash,
        long uptimeSeconds,
        ClusterStatus cluster,
        List<ListenerStatus> listeners,
        List<PoolStatus> pools,
        GslbStatus gslb) {

    /** Without a DNS server ({@code gslb} null). */
    public StatusReport(String node, String role, long configVersion, String configHash, long uptimeSeconds,
            ClusterStatus cluster, List<ListenerStatus> listeners, List<PoolStatus> pools) {
        this(node, role, configVersion, configHash, uptimeSeconds, cluster, listeners, pools, null);
    }

    /**
     * Null when the process runs alone.
     *
     * @param synced whether this member takes part in the cluster's log right now
     * @param configVersion the cluster's current config version (0: none yet), {@code configHash} its hash
     * @param configCurrent whether this node runs what the cluster says it should: that version, or the canary on
     *     trial here (a node that does not is never granted a VIP)
     * @param canary the config on trial and its node, or null
     */
    public record ClusterStatus(String name, String leader, long term, boolean synced, List<MemberStatus> members,
            List<VipStatus> vips, long rejectedPeers, long malformedCommands, long configVersion, String configHash,
            boolean configCurrent, String canary) {}

    /**
     * @param up whether this node hears from the member: its reports fresh, its process not known to have exited
     * @param lastHeardMs how long ago this node applied the member's last report (-1: never)
     * @param canServe whether the member is up and its last report said it can serve
     * @param configVersion the config version the member ran at its last report (0: none from the cluster yet)
     */
    public record MemberStatus(String id, String address, String role, int priority, boolean up, long lastHeardMs,
            boolean canServe, long configVersion) {}

    /** @param owner the member the cluster granted the VIP to; {@code ownedHere} whether this process serves it now */
    public record VipStatus(String name, String address, String driver, String owner, long epoch, String reason, boolean ownedHere) {}

    public record ListenerStatus(String name, String bind, String protocol, int activeConnections, long requests, double requestRate,
            LimitStatus limits) {}

    /**
     * A listener's limits and what they refused. The per-client fields are null when the listener has no
     * {@code per_client} limits.
     *
     * @param trackedClients clients whose bucket or connections are tracked now
     */
    public record LimitStatus(int maxConnections, Double requestsPerSecond, Integer burst, Integer connectionsPerClient,
            int trackedClients, long refusedByMaxConnections, long refusedByRate, long refusedByClientCap) {}

    public record PoolStatus(String name, String balance, boolean panic, int healthy, List<EndpointStatus> endpoints) {}

    public record EndpointStatus(String address, String zone, int weight, int effectiveWeight, String state, int active) {}
}
