package dev.gatehouse.cluster;

/**
 * What a member last reported about itself, and the log index of that report.
 *
 * @param configVersion the replicated config version it ran when it reported (0: none yet)
 */
public record MemberReport(boolean canServe, int priority, long reportedAt, long configVersion) {}
