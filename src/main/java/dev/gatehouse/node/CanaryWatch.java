package dev.gatehouse.node;

import dev.gatehouse.cluster.CanaryPlan;
import dev.gatehouse.cluster.ReplicatedConfig;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The canary's own judge: when this node runs a config on trial, it counts the requests its listeners answer
 * and how many were 5xx over the watch, then proposes to promote the config to every node or to roll it back.
 * Judging where the traffic is needs no counters shipped between nodes; if the canary node dies, the config
 * stays on trial until an operator sends a plain change (which replaces it) or the node returns and watches
 * again.
 */
final class CanaryWatch {

    /** Requests answered and 5xx among them, since the node started. */
    record Traffic(long requests, long errors) {}

    @FunctionalInterface
    interface Verdicts {
        /** Completes with whether the verdict was committed. */
        CompletableFuture<Boolean> propose(long version, boolean promote, String reason);
    }

    private static final long RETRY_MILLIS = 1000;
    private static final int MAX_TRIES = 30;

    private final ScheduledExecutorService scheduler;
    private final Supplier<Traffic> traffic;
    private final Verdicts verdicts;
    private ScheduledFuture<?> pending;
    private long watching = -1;

    CanaryWatch(ScheduledExecutorService scheduler, Supplier<Traffic> traffic, Verdicts verdicts) {
        this.scheduler = scheduler;
        this.traffic = traffic;
        this.verdicts = verdicts;
    }

    /** This node now runs {@code canary}: judge it when its watch is over. */
    synchronized void started(ReplicatedConfig canary) {
        cancel();
        Traffic before = traffic.get();
        watching = canary.version();
        pending = scheduler.schedule(() -> judge(canary, before), canary.canary().watchMillis(), TimeUnit.MILLISECONDS);
    }

    /** This node could not run {@code canary}: that alone rolls it back. */
    synchronized void refused(ReplicatedConfig canary, List<String> errors) {
        cancel();
        watching = canary.version();
        decide(canary.version(), false, "refused on " + canary.canary().member() + ": " + String.join("; ", errors), 1);
    }

    /** This node runs something else now (a verdict, or a plain change replaced the canary). */
    synchronized void cancel() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
        watching = -1;
    }

    private void judge(ReplicatedConfig canary, Traffic before) {
        Traffic after = traffic.get();
        long requests = after.requests() - before.requests();
        long errors = after.errors() - before.errors();
        CanaryPlan plan = canary.canary();
        double rate = requests == 0 ? 0 : (double) errors / requests;
        boolean promote = rate <= plan.maxErrorRate();
        String reason = String.format(Locale.ROOT, "%d of %d requests on %s were 5xx in %dms (%.2f%%, limit %.2f%%)%s",
                errors, requests, plan.member(), plan.watchMillis(), rate * 100, plan.maxErrorRate() * 100,
                requests == 0 ? "; no traffic seen, nothing against it" : "");
        synchronized (this) {
            if (watching == canary.version()) {
                decide(canary.version(), promote, reason, 1);
            }
        }
    }

    /** Proposes the verdict, and again a while later while it is not committed and this watch still stands. */
    private void decide(long version, boolean promote, String reason, int attempt) {
        verdicts.propose(version, promote, reason).thenAccept(committed -> {
            synchronized (this) {
                if (!committed && watching == version && attempt < MAX_TRIES) {
                    pending = scheduler.schedule(() -> {
                        synchronized (this) {
                            if (watching == version) {
                                decide(version, promote, reason, attempt + 1);
                            }
                        }
                    }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
        });
    }
}
