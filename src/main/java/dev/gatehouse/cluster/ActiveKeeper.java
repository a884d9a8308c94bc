package dev.gatehouse.cluster;

import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.vip.VipDriver;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's side of one {@code active_active} VIP: no lease and no owner. The node announces the VIP while it
 * can serve (listeners bound, a healthy endpoint behind each VIP listener, the cluster's config applied, not
 * demoted, not stopping) and withdraws when it cannot; the routers spread flows over every node that announces.
 * Nodes announcing at once is the point, so announcing needs no consensus: a node cut off from the cluster keeps
 * serving for as long as its own checks pass, and one that (re)starts announces once they have passed (its endpoints
 * start healthy, so it would otherwise draw traffic on no evidence).
 *
 * <p>Leaving: a node that can still serve but steps aside (demoted) first announces the VIP marked as leaving
 * (GRACEFUL_SHUTDOWN) for the driver's {@linkplain VipDriver#leaveNotice notice}, so routers that honour it move new
 * flows first; one that cannot serve withdraws at once. Either way the address and listeners stay for
 * {@link #DRAIN} after the withdrawal, so connections accepted here finish (the other nodes hand their packets back
 * here), then the driver releases the VIP. Becoming able again at any point announces it again.
 */
final class ActiveKeeper implements Keeper {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveKeeper.class);

    /** How long a node that withdrew keeps the address for the connections it holds (the pools' default drain). */
    static final Duration DRAIN = Duration.ofSeconds(30);

    private enum Phase { OUT, SERVING, LEAVING, DRAINING }

    private final VipConfig vip;
    private final VipDriver driver;
    private final ClusterListener listener;
    private final Ticker ticker;
    /** Whether this node's own checks have passed since it started. */
    private final BooleanSupplier checked;

    private Phase phase = Phase.OUT;
    /** Whether it announced since this process started: the first announcement waits for this node's own checks. */
    private boolean announcedOnce;
    private long phaseSince;
    /** The last driver failure logged, so a failing acquisition is logged once, not at every tick. */
    private String lastFailure;

    ActiveKeeper(VipConfig vip, VipDriver driver, ClusterListener listener, Ticker ticker, BooleanSupplier checked) {
        this.vip = vip;
        this.driver = driver;
        this.listener = listener;
        this.ticker = ticker;
        this.checked = checked;
    }

    /** Fencing and the replicated record are for leases: neither matters here. */
    @Override
    public void tick(VipState state, boolean able, String unableReason, boolean demoted, String fencedBy) {
        long now = ticker.nanos();
        if (able) {
            if (phase == Phase.SERVING) {
                refresh();
            } else if (announcedOnce || checked.getAsBoolean()) {
                announce(phase == Phase.OUT ? "able to serve" : "able to serve again");
            }
            return;
        }
        switch (phase) {
            case SERVING -> {
                if (demoted && driver.leaveNotice(vip).isPositive()) {
                    driver.keepDuringHandover(vip);
                    enter(Phase.LEAVING, now, unableReason + "; announced as leaving for "
                            + driver.leaveNotice(vip).toMillis() + " ms before the withdrawal");
                } else {
                    withdraw(now, unableReason);
                }
            }
            case LEAVING -> {
                refresh();
                if (now - phaseSince >= driver.leaveNotice(vip).toNanos()) {
                    withdraw(now, unableReason);
                }
            }
            case DRAINING -> {
                refresh();
                if (now - phaseSince >= DRAIN.toNanos()) {
                    release(unableReason + "; the drain time after the withdrawal ended");
                }
            }
            case OUT -> { }
        }
    }

    @Override
    public boolean holds() {
        return phase == Phase.SERVING || phase == Phase.LEAVING;
    }

    @Override
    public void reannounce() {
        if (phase == Phase.SERVING) {
            driver.announce(vip);
        }
    }

    /**
     * On shutdown: withdraws at once (the node's planned stop already announced its routes as leaving) and keeps the
     * address: the node drains its listeners next, and its driver takes the address when the process ends.
     */
    @Override
    public void releaseNow(String reason) {
        if (phase == Phase.SERVING || phase == Phase.LEAVING) {
            withdraw(ticker.nanos(), reason);
        }
    }

    private void announce(String reason) {
        try {
            driver.acquire(vip);
        } catch (Exception e) {
            String failure = e.toString();
            if (!failure.equals(lastFailure)) {
                LOG.warn("VIP {}: not announced, the driver failed ({}); trying again at every tick", vip.name(), failure);
                lastFailure = failure;
            }
            return;
        }
        lastFailure = null;
        announcedOnce = true;
        enter(Phase.SERVING, ticker.nanos(), reason);
    }

    private void withdraw(long now, String reason) {
        driver.withdraw(vip);
        enter(Phase.DRAINING, now, reason);
    }

    private void release(String reason) {
        try {
            driver.release(vip);
        } catch (Exception e) {
            LOG.error("VIP {}: driver failed to release ({})", vip.name(), e.toString());
        }
        enter(Phase.OUT, ticker.nanos(), reason);
    }

    private void refresh() {
        try {
            driver.refresh(vip);
        } catch (Exception e) {
            LOG.warn("VIP {}: refresh failed ({})", vip.name(), e.toString());
        }
    }

    private void enter(Phase next, long now, String reason) {
        phase = next;
        phaseSince = now;
        listener.vipAnnouncement(vip.name(), switch (next) {
            case SERVING -> "announced";
            case LEAVING -> "leaving";
            case DRAINING -> "withdrawn";
            case OUT -> "released";
        }, reason);
    }
}
