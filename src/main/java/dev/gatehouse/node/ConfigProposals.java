package dev.gatehouse.node;

import dev.gatehouse.admin.ConfigAnswer;
import dev.gatehouse.cluster.CanaryPlan;
import dev.gatehouse.cluster.ConfigProposal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A config change in a cluster: proposed as the cluster's next version, then awaited until this node runs it (it
 * applies it as every node does, when it is committed) or, for a canary on another node, until it is committed.
 */
final class ConfigProposals {

    /** How long a reload or PUT waits for the cluster to commit a config, and then for this node to run it. */
    private static final Duration PROPOSE_WAIT = Duration.ofSeconds(10);

    private final ClusterRuntime cluster;
    private final ConfigSync configSync;
    private final String self;

    ConfigProposals(ClusterRuntime cluster, ConfigSync configSync, String self) {
        this.cluster = cluster;
        this.configSync = configSync;
        this.self = self;
    }

    /**
     * Proposes {@code text} (cluster-wide, validated) as the cluster's next config and waits until this node runs it
     * (for a canary on another node: until it is committed). No errors when it is committed and running here.
     */
    ConfigAnswer propose(String text, String label, CanaryPlan canary) {
        ConfigProposal proposal = cluster.proposeConfig(text, label, canary)
                .completeOnTimeout(null, PROPOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
        if (proposal == null) {
            return new ConfigAnswer(0, List.of(label + ": not committed within " + PROPOSE_WAIT.toSeconds()
                    + "s (is a majority of members up?)"));
        }
        if (!proposal.accepted()) {
            return new ConfigAnswer(0, proposal.errors());
        }
        long version = proposal.committed().version();
        if (canary != null && !canary.member().equals(self)) {
            return new ConfigAnswer(version, List.of());
        }
        try {
            List<String> here = configSync.outcome(version)
                    .completeOnTimeout(List.of(label + ": committed as version " + version + ", but not yet running on this node"),
                            PROPOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .join();
            return new ConfigAnswer(version,
                    here.stream().map(e -> "committed as version " + version + " but refused on this node: " + e).toList());
        } finally {
            configSync.forget(version);
        }
    }
}
