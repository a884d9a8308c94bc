package dev.gatehouse.cluster;

/** What a member last reported about itself, and the log index of that report. */
public record MemberReport(boolean canServe, int priority, long reportedAt) {}
