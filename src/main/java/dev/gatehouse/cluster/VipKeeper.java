package dev.gatehouse.cluster;

import dev.gatehouse.cluster.ClusterState.Outcome;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.vip.VipDriver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This member's side of one VIP: it serves the VIP only while it holds a lease, and a lease exists only after a
 * renewal went through consensus. The lease ends at (start of the last successful renewal + lease) by this
 * member's own ticker; the keeper releases a guard interval before that. Every tick checks the lease first, so
 * the first thing a member does after a pause (GC, SIGSTOP) is to find its lease gone and release.
 *
 * <p>All methods run on the member's control thread.
 */
final class VipKeeper implements Keeper {

    private static final Logger LOG = LoggerFactory.getLogger(VipKeeper.class);

    private final String self;
    private final VipConfig vip;
    private final VipDriver driver;
    private final ClusterListener listener;
    private final Proposer proposer;
    private final Ticker ticker;
    private final ClusterTimings timings;
    private final Executor loop;
    /** A member's host (its cluster address), where a graceful predecessor finishes its connections. */
    private final Function<String, String> hostOf;

    private long epoch = -1;
    private String grantReason = "";
    private String predecessor;
    /** When this member first saw its current grant. */
    private long grantSeenAt;
    private boolean held;
    private long validUntil;
    private boolean renewedOnce;
    private long lastRenewStart;
    private boolean renewing;
    /** Renew at the next tick rather than a renewal interval after the last one. */
    private boolean renewDue;
    private boolean releaseProposed;
    /** While non-null: given up gracefully, still serving until the successor serves (see {@link #handOver}). */
    private String handingOver;
    private long handOverUntil;
    /** Completes once the driver no longer competes with the successor's announcements (see {@link #handOver}). */
    private CompletableFuture<Void> quieted;
    private long successorEpoch = -1;
    private long successorVersion;
    private int successorRenewals;
    /** When this node first saw the successor serve. */
    private long successorServedAt;
    /** While self-fenced: since when; else Long.MIN_VALUE. */
    private long fencedSince = Long.MIN_VALUE;
    /** When the last self-fence ended: only a renewal started after it may start serving again. */
    private long unfencedAt = Long.MIN_VALUE;
    /** While the driver acquires the VIP (see {@link #renewed}). */
    private boolean binding;

    VipKeeper(String self, VipConfig vip, VipDriver driver, ClusterListener listener, Proposer proposer,
            Ticker ticker, ClusterTimings timings, Executor loop, Function<String, String> hostOf) {
        this.self = self;
        this.vip = vip;
        this.driver = driver;
        this.listener = listener;
        this.proposer = proposer;
        this.ticker = ticker;
        this.timings = timings;
        this.loop = loop;
        this.hostOf = hostOf;
    }

    /**
     * One step: fence, follow the replicated state, renew. Fenced ({@code fencedBy} non-null), it serves again only
     * on a renewal started after the fence ended.
     */
    @Override
    public void tick(VipState state, boolean able, String unableReason, boolean demoted, String fencedBy) {
        long now = ticker.nanos();
        if (fencedBy != null) {
            fencedSince = fencedSince == Long.MIN_VALUE ? now : fencedSince;
            if (held) {
                listener.splitSuspected(vip.name(), fencedBy);
                release(fencedBy);
            }
        } else if (fencedSince != Long.MIN_VALUE) {
            fencedSince = Long.MIN_VALUE;
            unfencedAt = now;
            renewDue = true;
        }
        boolean mine = self.equals(state.owner());
        if (held && handingOver != null) {
            boolean succeeded = successorServes(state, now);
            if (mine && state.epoch() != epoch) {
                release(handingOver); // granted back to this node: start afresh
            } else if (succeeded && (now - successorServedAt >= timings.leaseNanos() || now >= handOverUntil)) {
                release(handingOver + "; " + state.owner() + " serves it now");
            } else if (now >= handOverUntil) {
                release(handingOver + "; no successor served within " + timings.handoverNanos() / 1_000_000 + "ms");
            } else {
                driver.keepDuringHandover(vip);
                proposeHandover(mine, able);
                return;
            }
        }
        if (held && now >= validUntil - timings.guardNanos()) {
            listener.leaseExpired(vip.name());
            release("lease expired: not renewed within " + timings.lease().toMillis() + "ms");
        }
        if (held && !(mine && state.epoch() == epoch)) {
            release(state.owned() ? "revoked: granted to " + state.owner() + " (" + state.reason() + ")"
                    : "released: " + state.reason());
        }
        if (!mine) {
            return;
        }
        if (state.epoch() != epoch) {
            LOG.info("VIP {}: granted to {} at epoch {} ({}); serving once a renewal commits", vip.name(), self,
                    state.epoch(), state.reason());
            epoch = state.epoch();
            grantReason = state.reason();
            predecessor = state.predecessor();
            grantSeenAt = now;
            validUntil = 0;
            renewedOnce = false;
            releaseProposed = false;
            if (!handedOver()) {
                driver.prepare(vip); // e.g. probes for the address while the first renewal goes through consensus
            } else {
                // before the address moves, connections the predecessor accepted must have a way back to it (stray
                // forwarding). Done before the first renewal, which it may delay: on a busy host it can take hundreds
                // of milliseconds, and the lease that renewal starts must cover the acquisition, not this too
                driver.takeOverFrom(vip, hostOf.apply(predecessor));
                now = ticker.nanos();
            }
        }
        String giveUp = state.handover() != null ? state.handover() : able ? null : unableReason;
        if (giveUp != null) {
            if (held && (state.handover() != null || demoted) && driver.overlapsOnHandover(vip)) {
                handOver(giveUp, now);
                proposeHandover(mine, able);
                return;
            }
            if (held) {
                release(giveUp);
            }
            proposeRelease(giveUp, able);
        } else if (!renewing && (!renewedOnce || renewDue || now - lastRenewStart >= timings.renewIntervalNanos())) {
            renew(now);
        }
    }

    @Override
    public boolean holds() {
        return held;
    }

    @Override
    public void reannounce() {
        if (held) {
            driver.announce(vip);
        }
    }

    @Override
    public void releaseNow(String reason) {
        if (held) {
            release(reason);
            proposeRelease(reason, false);
        }
    }

    private void renew(long start) {
        renewing = true;
        renewedOnce = true;
        lastRenewStart = start;
        long renewedEpoch = epoch;
        proposer.propose(new Command.Renew(vip.name(), self, renewedEpoch))
                .whenCompleteAsync((outcome, error) -> {
                    if (outcome != Outcome.ACCEPTED) {
                        LOG.debug("VIP {}: renewal {} after {} ms", vip.name(), outcome == null ? error : outcome,
                                (ticker.nanos() - start) / 1_000_000);
                    }
                    renewed(renewedEpoch, start, outcome);
                }, loop);
    }

    private void renewed(long renewedEpoch, long start, Outcome outcome) {
        renewing = false;
        listener.leaseRenewal(vip.name(), ticker.nanos() - start, outcome == Outcome.ACCEPTED);
        // a failed renewal changes nothing, the lease runs out by itself; but one that did not reach the log (e.g.
        // during a leader election) is tried again at the next tick, not a whole renewal interval later
        renewDue = outcome == null;
        if (renewedEpoch != epoch || outcome != Outcome.ACCEPTED) {
            return;
        }
        validUntil = Math.max(validUntil, start + timings.leaseNanos());
        if (ticker.nanos() >= validUntil - timings.guardNanos()) {
            return; // the round trip outlived the lease (a pause): do not start serving on it
        }
        driver.leaseUntil(vip, validUntil);
        if (binding) {
            return; // the renewal sent while the driver binds came back: its lease counts, the rest follows the bind
        }
        try {
            if (held) {
                if (handingOver == null) { // a renewal sent before a handover began must not announce again
                    driver.refresh(vip);
                }
            } else if (fencedSince != Long.MIN_VALUE || start < unfencedAt || releaseProposed) {
                return; // self-fenced, or given up, since this renewal started: it proves nothing now
            } else {
                boolean handedOver = handedOver();
                long committedAt = ticker.nanos();
                binding = true;
                try {
                    if (!handedOver) {
                        // nobody waits for a renewal after the acquisition: renew while the driver binds (a first
                        // bind in a process can take a while), so the lease does not run out just after serving starts
                        // (after a handover the next renewal must wait: it tells the predecessor this node serves)
                        renew(ticker.nanos());
                    }
                    driver.acquire(vip);
                } finally {
                    binding = false;
                }
                held = true;
                LOG.info("VIP {}: serving at epoch {}, {} ms after the grant (its first renewal committed after {} ms)",
                        vip.name(), epoch, (ticker.nanos() - grantSeenAt) / 1_000_000,
                        (committedAt - grantSeenAt) / 1_000_000);
                // after a handover, renew again at the next tick, not a renewal interval later: that renewal tells
                // the node handing over that this one serves (see handOver)
                renewDue = handedOver;
                listener.vipAcquired(vip.name(), epoch, grantReason);
            }
        } catch (Exception e) {
            LOG.warn("VIP {}: driver failed ({}); retrying on the next renewal", vip.name(), e.toString());
        }
    }

    /** Whether the current grant comes from a node that gave the VIP up gracefully (it may still hold it). */
    private boolean handedOver() {
        return predecessor != null && !predecessor.equals(self);
    }

    /**
     * A graceful give-up (demote, preemption) first stops announcing (and, on a LAN, answering ARP for) the VIP, and
     * proposes the release only once that is in effect. It keeps serving after the release is proposed, until the successor
     * has renewed its grant twice: a keeper acquires the VIP (listeners, address, announcement) on its control
     * thread right after its first renewal and renews again at its next tick, so the second renewal says the
     * successor serves. It keeps the address one lease longer: a connection accepted here whose next packets the
     * clients' new ARP entries take to the successor comes back here through the successor's stray forwarding (two
     * leases from its grant), and must still find the address. Requests in flight here finish meanwhile; the address
     * stays without being announced again, so the successor's announcement wins. The overlap is deliberate and bounded: by
     * {@link ClusterTimings#handoverNanos} from the give-up, and, should this process stop, by the driver's own
     * guards (a watchdog not fed for most of a lease).
     */
    private void handOver(String reason, long now) {
        handingOver = reason;
        handOverUntil = now + timings.handoverNanos();
        successorEpoch = -1;
        quieted = driver.keepDuringHandover(vip);
        LOG.info("VIP {}: handing over ({}); serving until the successor does", vip.name(), reason);
    }

    /**
     * Proposes the release that grants the VIP to the successor once the driver stopped competing with it (see
     * {@link VipDriver#keepDuringHandover}): a successor that announced while this host still answered ARP would
     * leave some clients pointing here when this host lets go.
     */
    private void proposeHandover(boolean mine, boolean able) {
        if (mine && quieted.isDone()) {
            proposeRelease(handingOver, able);
        }
    }

    private boolean successorServes(VipState state, long now) {
        if (!state.owned() || self.equals(state.owner())) {
            return false;
        }
        if (state.epoch() != successorEpoch) {
            successorEpoch = state.epoch();
            successorVersion = state.version(); // the grant; each renewal changes the version
            successorRenewals = 0;
            return false;
        }
        if (state.version() != successorVersion) {
            successorVersion = state.version();
            if (++successorRenewals == 2) {
                successorServedAt = now;
            }
        }
        return successorRenewals >= 2;
    }

    private void release(String reason) {
        handingOver = null;
        held = false;
        try {
            driver.release(vip);
        } catch (Exception e) {
            LOG.error("VIP {}: driver failed to release ({})", vip.name(), e.toString());
        }
        listener.vipReleased(vip.name(), epoch, reason);
    }

    /** @param stillAble whether this node could serve (a handover), or gives the VIP up because it cannot */
    private void proposeRelease(String reason, boolean stillAble) {
        if (releaseProposed) {
            return;
        }
        releaseProposed = true;
        long releasedEpoch = epoch;
        proposer.propose(new Command.Release(vip.name(), self, releasedEpoch, reason, stillAble, handingOver != null))
                .whenCompleteAsync((outcome, error) -> {
                    if (outcome == null && releasedEpoch == epoch) {
                        releaseProposed = false; // not committed: try again next tick
                    }
                }, loop);
    }
}
