package dev.gatehouse.cluster;

import dev.gatehouse.cluster.ClusterState.Outcome;
import java.util.concurrent.CompletableFuture;

/** Submits a command to the replicated log; completes with how the state machine applied it, or exceptionally. */
@FunctionalInterface
interface Proposer {

    CompletableFuture<Outcome> propose(Command command);
}
