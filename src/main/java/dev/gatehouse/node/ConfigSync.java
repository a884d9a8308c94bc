package dev.gatehouse.node;

import dev.gatehouse.admin.Events;
import dev.gatehouse.cluster.ReplicatedConfig;
import dev.gatehouse.config.EventKind;
import dev.gatehouse.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Follows the cluster's committed configs on this node. The consensus thread hands each one over without
 * waiting; a control thread applies them one at a time, in log order. A node that falls behind (restart, slow
 * apply) jumps to what the log says it should run now: it never runs an older version after a newer (except a
 * canary rolled back) and never a version the log does not hold.
 *
 * <p>A config this node cannot apply (a listener that cannot bind here) is refused here only: the node keeps
 * what it runs, reports it cannot serve, and stays so until a later version applies.
 */
final class ConfigSync {

    /** Applies a committed config; returns the errors, empty when this node now runs it. */
    interface Applier {
        List<String> apply(ReplicatedConfig config);
    }

    private final Executor executor;
    private final Applier applier;
    private final LongSupplier runningVersion;
    private final LongConsumer onApplied;
    private final Events events;
    private final Counter applied;
    private final Counter refused;
    private final CanaryWatch canaries;
    private final AtomicReference<ReplicatedConfig> pending = new AtomicReference<>();
    private final Map<Long, CompletableFuture<List<String>>> outcomes = new ConcurrentHashMap<>();
    private volatile long refusedVersion;
    private long handledVersion;
    private List<String> handledErrors = List.of();

    /**
     * @param runningVersion the replicated version this node runs now (0: none yet)
     * @param onApplied told of each version this node now runs
     */
    ConfigSync(Executor executor, Applier applier, LongSupplier runningVersion, LongConsumer onApplied, Events events,
            Metrics metrics, CanaryWatch canaries) {
        this.canaries = canaries;
        this.executor = executor;
        this.applier = applier;
        this.runningVersion = runningVersion;
        this.onApplied = onApplied;
        this.events = events;
        this.applied = changes(metrics, "applied");
        this.refused = changes(metrics, "refused");
    }

    private static Counter changes(Metrics metrics, String outcome) {
        return Counter.builder("gatehouse_config_changes").description("Replicated configs this node applied or refused")
                .tag("outcome", outcome).register(metrics.registry());
    }

    /** The cluster says this node should now run {@code config}. Never blocks; called in log order. */
    void committed(ReplicatedConfig config) {
        pending.set(config);
        try {
            executor.execute(this::applyPending);
        } catch (RejectedExecutionException stopping) {
            // the node is shutting down: nothing more to apply
        }
    }

    /** Whether the last committed config this node handled was refused here. */
    boolean refusedHere() {
        return refusedVersion != 0;
    }

    /**
     * Completes when this node has handled {@code version} or a later one: with the errors if it refused it,
     * else empty. Never completes exceptionally; callers bound the wait.
     */
    synchronized CompletableFuture<List<String>> outcome(long version) {
        if (handledVersion >= version) {
            return CompletableFuture.completedFuture(handledVersion == version ? handledErrors : List.of());
        }
        return outcomes.computeIfAbsent(version, v -> new CompletableFuture<>());
    }

    void forget(long version) {
        outcomes.remove(version);
    }

    private void applyPending() {
        ReplicatedConfig config;
        List<String> errors;
        synchronized (this) {
            // taken under the lock, so two control threads never apply an older config after a newer one
            config = pending.getAndSet(null);
            if (config == null) {
                return; // an earlier call took it
            }
            if (config.version() == runningVersion.getAsLong()) {
                // runs it already: the log replayed what this node runs, the canary it ran was promoted, or the
                // canary it refused was rolled back to what it still runs
                refusedVersion = 0;
                if (config.canary() == null) {
                    canaries.cancel();
                }
                settle(config.version(), List.of());
                return;
            }
            errors = applier.apply(config);
            report(config, errors);
            settle(config.version(), errors);
            if (config.canary() == null) {
                canaries.cancel();
            } else if (errors.isEmpty()) {
                canaries.started(config);
            } else {
                canaries.refused(config, errors);
            }
        }
        if (errors.isEmpty()) {
            onApplied.accept(config.version());
        }
    }

    /** Completes the waits for {@code version} with {@code errors}, and those for earlier versions it supersedes. */
    private void settle(long version, List<String> errors) {
        handledVersion = Math.max(handledVersion, version);
        if (handledVersion == version) {
            handledErrors = errors;
        }
        outcomes.entrySet().removeIf(e -> {
            if (e.getKey() > version) {
                return false;
            }
            e.getValue().complete(e.getKey() == version ? errors : List.of());
            return true;
        });
    }

    private void report(ReplicatedConfig config, List<String> errors) {
        String subject = "version " + config.version();
        if (errors.isEmpty()) {
            refusedVersion = 0;
            applied.increment();
            events.publish("config", subject, "applied " + config.label() + " from " + config.origin()
                    + " (hash " + config.hash().substring(0, 12) + ")");
        } else {
            refusedVersion = config.version();
            refused.increment();
            events.publish(EventKind.CONFIG_REFUSED, subject, "refused here, cannot serve until a later version applies: "
                    + String.join("; ", errors));
        }
    }
}
