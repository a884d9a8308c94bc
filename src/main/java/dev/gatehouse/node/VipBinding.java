package dev.gatehouse.node;

import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.vip.VipDriver;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What holding a VIP means for a node: the node's {@code vip:} listeners are bound on it, then the address is put
 * in service by the VIP's driver ({@code arp}: added to the interface and announced; {@code bgp}: added to lo and
 * its host route announced to the node's BGP peers; {@code loopback}: nothing, every 127.x address is local).
 * Release takes the address away first.
 */
final class VipBinding implements VipDriver {

    /** How long in-flight work on a released VIP may finish (the new owner is already taking new work). */
    private static final Duration RELEASE_DRAIN = Duration.ofSeconds(5);

    private final ListenerSet listeners;
    private final VipDriver arp;
    private final VipDriver bgp;

    /**
     * @param arp the driver for {@code driver: arp} VIPs; null when the cluster has none
     * @param bgp the driver for {@code driver: bgp} VIPs; null when this node has no {@code node.bgp}
     */
    VipBinding(ListenerSet listeners, VipDriver arp, VipDriver bgp) {
        this.listeners = listeners;
        this.arp = arp;
        this.bgp = bgp;
    }

    /**
     * The driver that puts {@code vip} in service: null for loopback (every 127.x address is local), and for a bgp
     * VIP on a node without {@code node.bgp} (which {@link #acquire} refuses). Every call but the acquisition goes
     * to it as it is; a driver does nothing for the calls it does not need.
     */
    private VipDriver driver(VipConfig vip) {
        return switch (vip.driver()) {
            case ARP -> arp;
            case BGP -> bgp;
            case LOOPBACK -> null;
        };
    }

    /** Listeners first (they may bind before the address is here), so the announcement finds them listening. */
    @Override
    public void acquire(VipConfig vip) throws Exception {
        VipDriver driver = driver(vip);
        if (driver == null && vip.driver() == Driver.BGP) { // refused before anything is bound
            throw new IOException("VIP " + vip.name() + " has driver bgp but this node has no node.bgp");
        }
        listeners.bindVip(vip.name(), InetAddress.getByName(vip.address()));
        if (driver != null) {
            driver.acquire(vip);
        }
    }

    /**
     * The address goes first: new connections to it then find no host rather than a closed port (a lost SYN
     * is retried by the client and reaches the new owner; a reset would be a failed request).
     */
    @Override
    public void release(VipConfig vip) throws Exception {
        VipDriver driver = driver(vip);
        if (driver != null) {
            driver.release(vip);
        }
        listeners.releaseVip(vip.name(), RELEASE_DRAIN);
    }

    @Override
    public void leaseUntil(VipConfig vip, long endNanos) {
        VipDriver driver = driver(vip);
        if (driver != null) {
            driver.leaseUntil(vip, endNanos);
        }
    }

    @Override
    public void refresh(VipConfig vip) throws Exception {
        VipDriver driver = driver(vip);
        if (driver != null) {
            driver.refresh(vip);
        }
    }

    @Override
    public void prepare(VipConfig vip) {
        VipDriver driver = driver(vip);
        if (driver != null) {
            driver.prepare(vip);
        }
    }

    @Override
    public void takeOverFrom(VipConfig vip, String predecessorHost) {
        VipDriver driver = driver(vip);
        if (driver != null) {
            driver.takeOverFrom(vip, predecessorHost);
        }
    }

    @Override
    public CompletableFuture<Void> keepDuringHandover(VipConfig vip) {
        VipDriver driver = driver(vip);
        return driver != null ? driver.keepDuringHandover(vip) : CompletableFuture.completedFuture(null);
    }

    /**
     * {@code arp}: two hosts may hold the address, the successor's announcement moves the clients. {@code bgp}: both
     * announce for a moment, the leaving one with GRACEFUL_SHUTDOWN. {@code loopback}:
     * both nodes' listeners share the port (SO_REUSEPORT), the successor's taking every new connection, where the
     * transport allows it (a native one); otherwise the old owner must unbind before the successor can bind.
     */
    @Override
    public boolean overlapsOnHandover(VipConfig vip) {
        return vip.driver() != Driver.LOOPBACK || listeners.vipPortsShared();
    }

    @Override
    public void withdraw(VipConfig vip) {
        VipDriver driver = driver(vip);
        if (driver != null) {
            driver.withdraw(vip);
        }
    }

    @Override
    public Duration leaveNotice(VipConfig vip) {
        VipDriver driver = driver(vip);
        return driver != null ? driver.leaveNotice(vip) : Duration.ZERO;
    }

    @Override
    public void announce(VipConfig vip) {
        VipDriver driver = driver(vip);
        if (driver != null) {
            driver.announce(vip);
        }
    }
}
