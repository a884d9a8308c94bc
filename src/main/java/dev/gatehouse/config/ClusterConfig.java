package dev.gatehouse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The cluster a node belongs to; bootstraps membership and says which VIPs float between nodes.
 *
 * @param lease how long an owner keeps a VIP without renewing it (see ClusterTimings)
 */
public record ClusterConfig(String name, Path secretFile, List<MemberConfig> members, List<VipConfig> vips, Duration lease) {

    public static final Duration DEFAULT_LEASE = Duration.ofMillis(600);
    /** An owner must keep its lease through one leader election (up to 300 ms) and a renewal round. */
    public static final Duration MIN_LEASE = Duration.ofMillis(400);
    public static final Duration MAX_LEASE = Duration.ofSeconds(30);

    public ClusterConfig {
        members = List.copyOf(members);
        vips = List.copyOf(vips);
    }

    public ClusterConfig(String name, Path secretFile, List<MemberConfig> members, List<VipConfig> vips) {
        this(name, secretFile, members, vips, DEFAULT_LEASE);
    }

    /** A member: a node that serves traffic or a witness that only votes. */
    public record MemberConfig(String id, HostPort address, int priority, Role role) {

        /** Where the member takes fence links (see FenceLinks): its cluster port + this, on the same address. */
        public static final int FENCE_PORT_OFFSET = 1000;

        public HostPort fenceAddress() {
            return new HostPort(address.host(), address.port() + FENCE_PORT_OFFSET);
        }
    }

    public enum Role { NODE, WITNESS }

    /** A floating address and the driver that moves it. {@code arp} and {@code bgp} are null unless that driver. */
    public record VipConfig(String name, String address, Driver driver, Arp arp, Mode mode, Preempt preempt, Bgp bgp) {

        public VipConfig(String name, String address, Driver driver, Arp arp, Mode mode, Preempt preempt) {
            this(name, address, driver, arp, mode, preempt, null);
        }
    }

    public enum Driver { LOOPBACK, ARP, BGP }

    /** {@code driver: bgp}: the communities its host route carries ("ASN:VALUE" or a well-known name). */
    public record Bgp(List<String> communities) {

        public Bgp {
            communities = List.copyOf(communities);
        }
    }

    /**
     * {@code active_passive}: one owner at a time, moved by leases. {@code active_active} (driver bgp only): every node
     * that can serve announces the VIP and the routers spread flows over them (ECMP).
     */
    public enum Mode { ACTIVE_PASSIVE, ACTIVE_ACTIVE }

    public record Arp(String iface, int prefix, int garpRepeat, Duration garpRefresh) {}

    public record Preempt(boolean enabled, Duration delay) {}
}
