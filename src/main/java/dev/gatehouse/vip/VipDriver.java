package dev.gatehouse.vip;

import dev.gatehouse.config.ClusterConfig.VipConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Puts a floating address in service on this host or takes it out. The cluster calls it only from its own
 * control thread; for an {@code active_passive} VIP only while this member holds a valid lease for it
 * ({@link #acquire}), releasing before that lease runs out; for an {@code active_active} one whenever this node can
 * serve, withdrawing when it cannot. Implementations may block briefly (a bind, a netlink call) but never wait on the
 * cluster.
 *
 * <p>Handover: after a crash or a cut the cluster releases on the old owner before it grants the new one, so a
 * driver never sees two owners at once. A graceful handover (demote, preemption) on a driver that
 * {@link #overlapsOnHandover overlaps} keeps the VIP on the old owner until the new one serves. An {@code arp}
 * driver re-announces on {@link #refresh}; on loopback there is nothing to announce.
 */
public interface VipDriver {

    /** Start serving the VIP here (bind the listeners, add the address, announce it). */
    void acquire(VipConfig vip) throws Exception;

    /** Stop serving the VIP here. Must be idempotent: the cluster calls it whenever it is unsure. */
    void release(VipConfig vip) throws Exception;

    /**
     * Called before {@link #acquire} and {@link #refresh} with each renewal that proved an {@code active_passive}
     * lease: the lease ends at {@code endNanos} (the cluster's ticker). A driver that holds the VIP by itself for a
     * while (a kernel timer) keeps within it. Nothing to do by default.
     */
    default void leaseUntil(VipConfig vip, long endNanos) {
    }

    /** Called periodically while the VIP is held: repeat announcements (gratuitous ARP) and check it is still in place. */
    void refresh(VipConfig vip) throws Exception;

    /**
     * Called when this member is granted the VIP after a crash, a cut or an expired lease (not a graceful handover),
     * before its first renewal commits and well before {@link #acquire}: work that changes nothing on the network
     * may start now, e.g. probing whether the old owner's host still answers for the address. A grant that is never
     * renewed leaves it unused. Nothing to do by default.
     */
    default void prepare(VipConfig vip) {
    }

    /**
     * Called when this member is granted the VIP by a node that handed it over gracefully and may still be finishing
     * connections it accepted, before the grant's first renewal (and so well before {@link #acquire}): once the
     * address moves here, packets of those connections must reach that node ({@code predecessorHost}, its cluster
     * address) rather than meet a reset. A grant that is never renewed leaves it unused. Nothing to do by default.
     */
    default void takeOverFrom(VipConfig vip, String predecessorHost) {
    }

    /**
     * Keep a VIP that is being handed over in place without announcing it (the successor's announcement must
     * win); called when the handover begins and at every tick of it. The first call's stage completes once this
     * host no longer competes with the successor's announcements (an {@code arp} host no longer answers ARP for the
     * address): only then does the cluster propose the release that grants the VIP to the successor, so that
     * clients never hear two owners at once. Completed at once by default.
     */
    default CompletableFuture<Void> keepDuringHandover(VipConfig vip) {
        return CompletableFuture.completedFuture(null);
    }

    /** Announce a held VIP again at once, after an election or a healed partition; nothing to do by default. */
    default void announce(VipConfig vip) {
    }

    /**
     * Whether a graceful handover may hold the VIP here for a moment after the successor acquired it, so that
     * requests in flight finish. True where two hosts can hold the address at once (the successor's gratuitous
     * ARP moves the clients), or where two listeners may share the port (SO_REUSEPORT); false by default.
     */
    default boolean overlapsOnHandover(VipConfig vip) {
        return false;
    }

    /**
     * Active-active: stop attracting new connections to the VIP here but keep finishing those already here (the
     * address stays until {@link #release}). Nothing to do by default.
     */
    default void withdraw(VipConfig vip) {
    }

    /**
     * Active-active: how long a node that leaves on purpose (demoted) keeps announcing the VIP, marked as leaving
     * ({@link #keepDuringHandover}), before it {@link #withdraw withdraws}; zero by default.
     */
    default Duration leaveNotice(VipConfig vip) {
        return Duration.ZERO;
    }
}
