package dev.gatehouse.gslb;

import java.util.List;
import java.util.Map;

/**
 * The DNS server's part of {@code GET /api/v1/status}.
 *
 * @param serial the zone's SOA serial now (a digest of what it answers)
 * @param agreement how the targets' states are decided now: this server's checks alone, or with its peers'
 * @param targets every target of every dynamic record with its state ({@code unknown} before its first check)
 */
public record GslbStatus(String bind, String zone, long serial, String agreement, List<PeerStatus> peers,
        List<TargetStatus> targets) {

    /**
     * @param state this server's own check verdict: unknown, up or down
     * @param agreed what the vantage points with a verdict (this server and its answering peers) decide: down only when
     *     more than half of them see it down; unknown while none has a verdict
     * @param votes the vantage points with a verdict; {@code downVotes} of them see it down
     * @param peerStates each peer's verdict by its node name (up, down, unknown, or stale: no longer counted)
     * @param answering whether the record answers with it now (fail-open answers count)
     */
    public record TargetStatus(String record, String address, String region, String check, String state, String lastResult,
            String agreed, int votes, int downVotes, Map<String, String> peerStates, boolean answering) {}

    /**
     * @param node the node that answered there last (null before it answered)
     * @param counted its verdicts are fresh and count
     * @param problem why its last fetch failed; empty when it answered
     */
    public record PeerStatus(String address, String node, boolean counted, String problem) {}
}
