package dev.gatehouse.cluster;

import java.util.Objects;

/**
 * The cluster-wide config as committed through the log: the part of the config every node shares (no
 * {@code node:} section), as text, so each node combines it with its own node section.
 *
 * @param version 1 for the first committed config, then one more per change
 * @param hash hex SHA-256 of the config's canonical form ({@link dev.gatehouse.config.Snapshot#hash}), the same
 *     value every node running it reports
 * @param origin the member that proposed it
 * @param label where it came from, for events and error lines ("PUT /api/v1/config", a file path)
 * @param canary the trial this config is on, or null for a config every node runs
 */
public record ReplicatedConfig(long version, String hash, String text, String origin, String label, CanaryPlan canary) {

    public ReplicatedConfig {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(label, "label");
    }

    ReplicatedConfig withoutPlan() {
        return new ReplicatedConfig(version, hash, text, origin, label, null);
    }
}
