package dev.gatehouse.cluster;

import java.util.Objects;

/**
 * A staged rollout: the config runs on {@code member} alone for {@code watchMillis}, then is promoted to every
 * node if that member's share of 5xx answers stayed at or below {@code maxErrorRate}, else rolled back.
 */
public record CanaryPlan(String member, long watchMillis, double maxErrorRate) {

    public CanaryPlan {
        Objects.requireNonNull(member, "member");
    }
}
