package dev.gatehouse.admin;

import java.util.List;

/** What {@code GET /api/v1/status} answers, and what {@code gatehouse status} prints. */
public record StatusReport(
        String node,
        String role,
        long configVersion,
        String configHash,
        long uptimeSeconds,
        Object cluster,
        List<ListenerStatus> listeners,
        List<PoolStatus> pools) {

    public record ListenerStatus(String name, String bind, String protocol, int activeConnections, long requests, double requestRate) {}

    public record PoolStatus(String name, String balance, boolean panic, int healthy, List<EndpointStatus> endpoints) {}

    public record EndpointStatus(String address, String zone, int weight, int effectiveWeight, String state, int active) {}
}
