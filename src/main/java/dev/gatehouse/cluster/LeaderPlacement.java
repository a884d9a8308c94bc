package dev.gatehouse.cluster;

import java.util.Comparator;
import java.util.Map;

/**
 * Keeps Raft leadership off the VIP owner. The leader is the one member whose crash costs an election; if that
 * member also owns a VIP, its crash costs an election and then a lease, one after the other, and the new leader
 * can only count the lease from when it caught up. With the leader elsewhere (the witness first, else a node that
 * owns nothing), the crash of an owner is judged by a leader that saw its last renewal as it committed, so the
 * takeover waits for the lease alone. All members have the same Raft priority, so any of them can win an
 * election and no priority ever pulls leadership back; this only hands it on, once the owner finds itself leading.
 */
final class LeaderPlacement {

    private LeaderPlacement() {}

    /**
     * The member the leader {@code self} should hand leadership to, or null to keep it.
     *
     * @param silenceMillis how long ago the leader last heard from each follower
     * @param freshMillis followers silent for longer are not considered
     */
    static String target(String self, Roster roster, ClusterState state, Map<String, Long> silenceMillis, long freshMillis) {
        if (!owns(state, self)) {
            return null;
        }
        return silenceMillis.entrySet().stream()
                .filter(e -> !e.getKey().equals(self) && e.getValue() <= freshMillis)
                .map(Map.Entry::getKey)
                .filter(id -> roster.members().containsKey(id) && !owns(state, id))
                .min(Comparator.comparing((String id) -> roster.isNode(id)).thenComparing(id -> id))
                .orElse(null);
    }

    private static boolean owns(ClusterState state, String member) {
        return state.vips().values().stream().anyMatch(v -> member.equals(v.owner()));
    }
}
