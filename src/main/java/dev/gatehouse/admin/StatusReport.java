package dev.gatehouse.admin;

import dev.gatehouse.gslb.GslbStatus;
import dev.gatehouse.tls.TlsStatus;
import java.util.List;

/**
 * What {@code GET /api/v1/status} answers, and what {@code gatehouse status} prints.
 *
 * @param tls the TLS provider and the certificates served; null on a witness
 */
public record StatusReport(
        String node,
        String role,
        long configVersion,
        String configHash,
        long uptimeSeconds,
        ClusterStatus cluster,
        List<ListenerStatus> listeners,
        List<PoolStatus> pools,
        TlsStatus tls,
        GslbStatus gslb) {

    /**
     * Null when the process runs alone.
     *
     * @param synced whether this member takes part in the cluster's log right now
     * @param configVersion the cluster's current config version (0: none yet), {@code configHash} its hash
     * @param configCurrent whether this node runs what the cluster says it should: that version, or the canary on
     *     trial here (a node that does not is never granted a VIP)
     * @param canary the config on trial and its node, or null
     * @param bgpPeers this node's BGP sessions (empty without {@code node.bgp})
     */
    public record ClusterStatus(String name, String leader, long term, boolean synced, List<MemberStatus> members,
            List<VipStatus> vips, long rejectedPeers, long malformedCommands, long configVersion, String configHash,
            boolean configCurrent, String canary, List<BgpPeerStatus> bgpPeers) {}

    /**
     * One BGP session of this node ({@code node.bgp}).
     *
     * @param state Idle, Connect, Active, OpenSent, OpenConfirm or Established
     * @param uptimeSeconds how long it has been Established (-1: it is not)
     * @param flaps how many times it left Established
     * @param lastError why it last went down or failed to come up, or null
     * @param bfd the state of the peer's BFD session (up, down, init, admin down), or null without {@code bfd}
     */
    public record BgpPeerStatus(String address, int port, long as, String state, long uptimeSeconds, int flaps,
            String lastError, String bfd) {}

    /**
     * @param up whether this node hears from the member: its reports fresh, its process not known to have exited
     * @param lastHeardMs how long ago this node applied the member's last report (-1: never)
     * @param canServe whether the member is up and its last report said it can serve
     * @param configVersion the config version the member ran at its last report (0: none from the cluster yet)
     */
    public record MemberStatus(String id, String address, String role, int priority, boolean up, long lastHeardMs,
            boolean canServe, long configVersion) {}

    /**
     * @param owner the member the cluster granted the VIP to (none for active_active)
     * @param ownedHere whether this process serves it now
     * @param announcedBy active_active: the nodes that announce it (see the node's status), else empty
     */
    public record VipStatus(String name, String address, String driver, String mode, String owner, long epoch, String reason,
            boolean ownedHere, List<String> announcedBy) {}

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

    /**
     * @param zoneMode how new requests are split between zones: off (zones play no part), local (all to the node's zone),
     *     spill (the node's zone is below zone_aware.min_healthy and keeps only part), panic (the pool is in panic: zones ignored)
     * @param localZone the zone the pool prefers on this node, or null
     * @param zones each zone of the pool's endpoints ("-" for those without one); empty when none has a zone
     */
    public record PoolStatus(String name, String balance, boolean panic, int healthy, String zoneMode, String localZone,
            List<ZoneStatus> zones, List<EndpointStatus> endpoints) {}

    /**
     * @param endpoints configured endpoints in the zone; {@code healthy} those taking new traffic
     * @param capacity the serving share of the zone's weight (draining endpoints left out), 0..1
     * @param share the fraction of new requests the zone gets now, 0..1
     */
    public record ZoneStatus(String name, int endpoints, int healthy, double capacity, double share) {}

    public record EndpointStatus(String address, String zone, int weight, int effectiveWeight, String state, int active) {}
}
