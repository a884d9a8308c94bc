package dev.gatehouse.gslb;

import java.util.List;

/**
 * The DNS server's part of {@code GET /api/v1/status}.
 *
 * @param serial the zone's SOA serial now (a digest of what it answers)
 * @param targets every target of every dynamic record with its state ({@code unknown} before its first check)
 */
public record GslbStatus(String bind, String zone, long serial, List<TargetStatus> targets) {

    /** @param answering whether the record answers with it now (fail-open answers count) */
    public record TargetStatus(String record, String address, String region, String check, String state, String lastResult,
            boolean answering) {}
}
