package dev.gatehouse.cluster;

import dev.gatehouse.time.Ticker;
import java.util.concurrent.Executor;

/**
 * The config this member offers as version 1 while the cluster has none: each node offers its own, the first
 * committed wins, the others are refused as stale and follow it. Offered from the control loop's ticks.
 */
final class ConfigSeed {

    private final String self;
    private final Proposer proposer;
    private final Ticker ticker;
    private final ClusterTimings timings;
    private final Executor loop;
    /** Null once the cluster has a config (or before anything was offered). */
    private volatile Command.ConfigChange seed;
    private boolean inFlight;
    private long offeredAt;

    ConfigSeed(String self, Proposer proposer, Ticker ticker, ClusterTimings timings, Executor loop) {
        this.self = self;
        this.proposer = proposer;
        this.ticker = ticker;
        this.timings = timings;
        this.loop = loop;
    }

    /** Offers {@code text} from the next tick on. */
    void offer(String text, String label) {
        seed = ConfigRules.change(text, 0, self, label, null);
    }

    /** On the control loop: proposes the seed if the cluster still has no config. */
    void tick(ClusterState state) {
        Command.ConfigChange offer = seed;
        long now = ticker.nanos();
        // at most once a report interval: while there is no leader, every offer fails, and they are not free
        if (offer == null || inFlight || (offeredAt != 0 && now - offeredAt < timings.reportIntervalNanos())) {
            return;
        }
        if (state.config().lastVersion() != 0) {
            seed = null;
            return;
        }
        inFlight = true;
        offeredAt = now;
        proposer.propose(offer).whenCompleteAsync((outcome, error) -> {
            inFlight = false;
            if (outcome != null) {
                seed = null; // committed, or refused because another member's seed won
            }
        }, loop);
    }
}
