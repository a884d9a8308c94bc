package dev.gatehouse.vip;

import dev.gatehouse.config.ClusterConfig.VipConfig;

/**
 * Puts a floating address in service on this host or takes it out. The cluster calls it only from its own
 * control thread, only while this member holds a valid lease for the VIP ({@link #acquire}), and releases
 * before that lease runs out. Implementations may block briefly (a bind, a netlink call) but never wait on the
 * cluster.
 *
 * <p>Handover: the cluster always releases on the old owner before it grants the new one, so a driver never
 * sees two owners at once. An {@code arp} driver re-announces on {@link #refresh}; on loopback there is nothing
 * to announce.
 */
public interface VipDriver {

    /** Start serving the VIP here (bind the listeners, add the address, announce it). */
    void acquire(VipConfig vip) throws Exception;

    /** Stop serving the VIP here. Must be idempotent: the cluster calls it whenever it is unsure. */
    void release(VipConfig vip) throws Exception;

    /** Called periodically while the VIP is held: repeat announcements (gratuitous ARP) and check it is still in place. */
    void refresh(VipConfig vip) throws Exception;

    /** Announce a held VIP again at once, after an election or a healed partition; nothing to do by default. */
    default void announce(VipConfig vip) {
    }

    /**
     * Whether a graceful handover may hold the VIP here for a moment after the successor acquired it, so that
     * requests in flight finish. True where two hosts can hold the address at once (the successor's gratuitous
     * ARP moves the clients); false by default, e.g. for listeners bound on a loopback address, which only one
     * process on the host can bind.
     */
    default boolean overlapsOnHandover(VipConfig vip) {
        return false;
    }
}
