package dev.gatehouse.cluster;

import java.time.Duration;
import java.util.Objects;

/**
 * How fast the cluster reacts. Everything else derives from the lease:
 * <ul>
 *   <li>the owner renews every lease/3, so two renewals may fail (a leader election in between) before it must
 *       release;</li>
 *   <li>the owner serves only until (start of its last successful renewal + lease - guard) by its own clock;</li>
 *   <li>the controller grants elsewhere only after lease * 1.1 + 50 ms since it applied that renewal: 10 % covers
 *       clock-rate differences between hosts, 50 ms covers scheduling;</li>
 *   <li>members report their health every lease; a report older than 3 leases no longer counts.</li>
 * </ul>
 * The lease is {@code cluster.lease}; elections (150-300 ms) and the tick (20 ms) are fixed. At the default 600 ms
 * lease, an owner whose death cannot be confirmed (a frozen host, a cut link) is replaced after roughly 0.7-0.8 s,
 * and an owner survives one leader election without losing its lease; a crashed owner's process exit is confirmed
 * by its fence links ({@link FenceLinks}) and does not wait for the lease.
 */
public record ClusterTimings(Duration lease, Duration electionMin, Duration electionMax, Duration tick) {

    public ClusterTimings {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(electionMin, "electionMin");
        Objects.requireNonNull(electionMax, "electionMax");
        Objects.requireNonNull(tick, "tick");
        if (tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("tick must be positive, was " + tick);
        }
        if (lease.compareTo(tick.multipliedBy(10)) < 0) {
            throw new IllegalArgumentException("lease must be at least 10 ticks (" + tick + "), was " + lease);
        }
        if (electionMin.isNegative() || electionMin.isZero() || electionMax.compareTo(electionMin) <= 0) {
            throw new IllegalArgumentException(
                    "election timeouts must satisfy 0 < min < max, were " + electionMin + " and " + electionMax);
        }
        if (lease.compareTo(electionMax) <= 0) {
            throw new IllegalArgumentException(
                    "lease (" + lease + ") must exceed the max election timeout (" + electionMax + ")");
        }
    }

    public static ClusterTimings defaults() {
        return forLease(Duration.ofMillis(600));
    }

    /** {@code cluster.lease}, with the fixed election timeouts (150-300 ms) and tick (20 ms). */
    public static ClusterTimings forLease(Duration lease) {
        return new ClusterTimings(lease, Duration.ofMillis(150), Duration.ofMillis(300), Duration.ofMillis(20));
    }

    long leaseNanos() {
        return lease.toNanos();
    }

    long renewIntervalNanos() {
        return lease.toNanos() / 3;
    }

    /**
     * A graceful handover keeps the VIP at most this long after the give-up while the successor acquires it:
     * two leases, enough for a grant and two renewals through consensus plus the successor's bind and address.
     */
    long handoverNanos() {
        return lease.toNanos() * 2;
    }

    /** Released this long before the lease ends, so a tick that runs late still releases in time. */
    long guardNanos() {
        return tick.toNanos() * 2;
    }

    long grantDelayNanos() {
        return lease.toNanos() + lease.toNanos() / 10 + Duration.ofMillis(50).toNanos();
    }

    long reportIntervalNanos() {
        return lease.toNanos();
    }

    long reportTtlNanos() {
        return lease.toNanos() * 3;
    }

    /**
     * A new leader waits at most this long for every node to be able to take a VIP that was never owned
     * (reported, serving, on the current config) before granting it, so that at cluster start the
     * highest-priority node is not passed over because it came up a moment later. A failover never waits.
     */
    long settleNanos() {
        return lease.toNanos() * 5;
    }

    /**
     * How long a leader waits for a leadership transfer before it takes requests again. While a transfer is
     * pending, Ratis's leader refuses every write, renewals included; waited out for a whole lease (a target slow to
     * catch up on a loaded host) that lost the owner its lease. One renewal interval delays one renewal at most.
     */
    Duration leadershipTransferTimeout() {
        return Duration.ofNanos(renewIntervalNanos());
    }

    /** How long one consensus request may take before the client gives up on it. */
    Duration requestTimeout() {
        return lease.dividedBy(2);
    }
}
