package dev.gatehouse.cluster;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where Raft leadership should be: on the witness, else off the VIP owner. The leader is the one member whose
 * crash costs an election; if that member also owns a VIP, its crash costs an election and then a lease, one
 * after the other, and the new leader can only count the lease from when it caught up. A leader elsewhere judges
 * the crash of an owner from its last renewal as it committed, so the takeover waits for the lease alone. On the
 * witness, leadership also survives a cut between the two nodes: each still renews through the witness. All
 * members have the same Raft priority, so any of them can win an election (and none pulls leadership back); a
 * node that finds itself leading hands leadership on.
 */
final class LeaderPlacement {

    private LeaderPlacement() {}

    /**
     * The member the leader {@code self} should hand leadership to, or null to keep it: a witness heard from
     * lately, else (when {@code self} owns a VIP) a node heard from lately that owns none.
     *
     * @param silenceMillis how long ago the leader last heard from each follower
     * @param freshMillis followers silent for longer are not considered
     */
    static String target(String self, Roster roster, ClusterState state, Map<String, Long> silenceMillis, long freshMillis) {
        if (!roster.isNode(self)) {
            return null;
        }
        List<String> fresh = silenceMillis.entrySet().stream()
                .filter(e -> !e.getKey().equals(self) && e.getValue() <= freshMillis && roster.members().containsKey(e.getKey()))
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        return fresh.stream().filter(id -> !roster.isNode(id)).findFirst()
                .or(() -> owns(state, self) ? fresh.stream().filter(id -> !owns(state, id)).findFirst() : Optional.empty())
                .orElse(null);
    }

    private static boolean owns(ClusterState state, String member) {
        return state.vips().values().stream().anyMatch(v -> member.equals(v.owner()));
    }
}
