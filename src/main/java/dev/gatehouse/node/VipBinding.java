package dev.gatehouse.node;

import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.vip.VipDriver;
import java.net.InetAddress;
import java.time.Duration;

/**
 * What holding a VIP means for a node: the node's {@code vip:} listeners are bound on it, then the address is put
 * in service by the VIP's driver ({@code arp}: added to the interface and announced; {@code loopback}: nothing,
 * every 127.x address is local). Release takes the address away first.
 */
final class VipBinding implements VipDriver {

    /** How long in-flight work on a released VIP may finish (the new owner is already taking new work). */
    private static final Duration RELEASE_DRAIN = Duration.ofSeconds(5);

    private final ListenerSet listeners;
    private final VipDriver arp;

    /** @param arp the driver for {@code driver: arp} VIPs; null when the cluster has none */
    VipBinding(ListenerSet listeners, VipDriver arp) {
        this.listeners = listeners;
        this.arp = arp;
    }

    /** Listeners first (they may bind before the address is here), so the announcement finds them listening. */
    @Override
    public void acquire(VipConfig vip) throws Exception {
        listeners.bindVip(vip.name(), InetAddress.getByName(vip.address()));
        if (vip.driver() == Driver.ARP) {
            arp.acquire(vip);
        }
    }

    /**
     * The address goes first: new connections to it then find no host rather than a closed port (a lost SYN
     * is retried by the client and reaches the new owner; a reset would be a failed request).
     */
    @Override
    public void release(VipConfig vip) throws Exception {
        if (vip.driver() == Driver.ARP) {
            arp.release(vip);
        }
        listeners.releaseVip(vip.name(), RELEASE_DRAIN);
    }

    @Override
    public void refresh(VipConfig vip) throws Exception {
        if (vip.driver() == Driver.ARP) {
            arp.refresh(vip);
        }
    }

    @Override
    public void takeOverFrom(VipConfig vip, String predecessorHost) {
        if (vip.driver() == Driver.ARP) {
            arp.takeOverFrom(vip, predecessorHost);
        }
    }

    @Override
    public void keepDuringHandover(VipConfig vip) {
        if (vip.driver() == Driver.ARP) {
            arp.keepDuringHandover(vip);
        }
    }

    /**
     * {@code arp}: two hosts may hold the address, the successor's announcement moves the clients. {@code loopback}:
     * both nodes' listeners share the port (SO_REUSEPORT), the successor's taking every new connection, where the
     * transport allows it (a native one); otherwise the old owner must unbind before the successor can bind.
     */
    @Override
    public boolean overlapsOnHandover(VipConfig vip) {
        return vip.driver() == Driver.ARP || listeners.vipPortsShared();
    }

    /** The arp driver announces only VIPs it holds. */
    @Override
    public void announce(VipConfig vip) {
        if (vip.driver() == Driver.ARP) {
            arp.announce(vip);
        }
    }
}
