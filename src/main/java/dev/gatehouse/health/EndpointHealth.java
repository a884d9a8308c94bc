package dev.gatehouse.health;

import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.EndpointState;
import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * Everything the health machinery knows of one endpoint, layered: active-check health at the
 * bottom, an ejection over it, a slow-start ramp when it comes back, and a drain over all of it.
 * The layers underneath keep moving while a drain hides them, so {@link #enable} knows where to go.
 * Mutable and not thread-safe: {@link PoolHealth} owns it under its lock. Times are ticker nanos.
 *
 * <p>A fresh endpoint starts HEALTHY, not ramping (as HAProxy starts servers "up"): a restart of the
 * balancer must not turn into an outage while the first checks run; the first {@code fall} failed
 * checks take it down. Slow start applies to endpoints coming back from UNHEALTHY or EJECTED, and
 * to ones enabled after a drain.
 */
final class EndpointHealth {

    private final Endpoint endpoint;
    private HealthHysteresis checks;
    private int ejections;
    private boolean ejected;
    private long ejectedUntil;
    private boolean ramping;
    private long rampStart;
    private boolean draining;
    private boolean drainCloses;
    private long drainDeadline;
    /** Whether the layers under the drain let it serve, as of the last {@link #settle}. */
    private boolean wasServing = true;
    /** The state last told to events and put in a view. */
    private EndpointState published = EndpointState.HEALTHY;

    EndpointHealth(Endpoint endpoint, HealthHysteresis checks) {
        this.endpoint = endpoint;
        this.checks = checks;
    }

    /** This endpoint's state moved onto the endpoint with the same address in a reloaded pool. */
    EndpointHealth carriedTo(Endpoint next, HealthHysteresis nextChecks) {
        EndpointHealth copy = new EndpointHealth(next, nextChecks);
        copy.ejections = ejections;
        copy.ejected = ejected;
        copy.ejectedUntil = ejectedUntil;
        copy.ramping = ramping;
        copy.rampStart = rampStart;
        copy.draining = draining;
        copy.drainCloses = drainCloses;
        copy.drainDeadline = drainDeadline;
        copy.wasServing = wasServing;
        copy.published = published;
        return copy;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    HealthHysteresis checks() {
        return checks;
    }

    void record(boolean passed) {
        checks = checks.next(passed);
    }

    int ejections() {
        return ejections;
    }

    boolean ejectedAt(long now) {
        return ejected && now - ejectedUntil < 0;
    }

    /** Ejects until {@code now} plus the base times the ejection count (capped); returns that duration. */
    long eject(long now, Duration base) {
        ejections++;
        long duration = Ejections.durationNanos(base, ejections);
        ejected = true;
        ejectedUntil = now + duration;
        return duration;
    }

    boolean draining() {
        return draining;
    }

    /**
     * @param timeoutNanos after this, open connections are closed; negative: never
     * @return the deadline, meaningful only with a timeout
     */
    long drain(long now, long timeoutNanos) {
        draining = true;
        drainCloses = timeoutNanos >= 0;
        drainDeadline = now + Math.max(0, timeoutNanos);
        return drainDeadline;
    }

    void enable(long now, long rampNanos) {
        draining = false;
        if (serving() && rampNanos > 0) {
            ramping = true;
            rampStart = now;
        }
    }

    /** True once, when a drain with a timeout reaches its deadline: the caller closes the connections. */
    boolean drainTimedOut(long now) {
        if (draining && drainCloses && now - drainDeadline >= 0) {
            drainCloses = false;
            return true;
        }
        return false;
    }

    /**
     * Applies what time alone changes: an ejection running out, a ramp starting when the endpoint
     * serves again, a ramp ending. Call after every change, with the same clock.
     *
     * @return whether an ejection ended just now
     */
    boolean settle(long now, long rampNanos) {
        boolean ejectionEnded = ejected && !ejectedAt(now);
        if (ejectionEnded) {
            ejected = false;
        }
        boolean serving = serving();
        if (serving && !wasServing && rampNanos > 0) {
            ramping = true;
            rampStart = now;
        }
        if (!serving || (ramping && now - rampStart >= rampNanos)) {
            ramping = false;
        }
        wasServing = serving;
        return ejectionEnded;
    }

    /** Ejected and unhealthy at once shows as EJECTED: that one has a known end. */
    EndpointState state() {
        if (draining) {
            return EndpointState.DRAINING;
        }
        if (ejected) {
            return EndpointState.EJECTED;
        }
        if (!checks.healthy()) {
            return EndpointState.UNHEALTHY;
        }
        return ramping ? EndpointState.SLOW_START : EndpointState.HEALTHY;
    }

    boolean ramping() {
        return ramping && !draining;
    }

    /** Full weight, or the ramped weight while in slow start. */
    int weight(long now, long rampNanos) {
        int full = ViewBuilder.fullWeight(endpoint);
        return state() == EndpointState.SLOW_START ? SlowStart.weight(full, now - rampStart, rampNanos) : full;
    }

    EndpointState published() {
        return published;
    }

    void published(EndpointState state) {
        published = state;
    }

    /** Hands every deadline still ahead (ejection end, drain timeout) to {@code wakeAt}. */
    void pendingDeadlines(LongConsumer wakeAt) {
        if (ejected) {
            wakeAt.accept(ejectedUntil);
        }
        if (draining && drainCloses) {
            wakeAt.accept(drainDeadline);
        }
    }

    private boolean serving() {
        return !ejected && checks.healthy();
    }
}
