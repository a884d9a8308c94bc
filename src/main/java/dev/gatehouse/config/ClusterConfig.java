package dev.gatehouse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The cluster a node belongs to; bootstraps membership and says which VIPs float between nodes. */
public record ClusterConfig(String name, Path secretFile, List<MemberConfig> members, List<VipConfig> vips) {

    public ClusterConfig {
        members = List.copyOf(members);
        vips = List.copyOf(vips);
    }

    /** A member: a node that serves traffic or a witness that only votes. */
    public record MemberConfig(String id, HostPort address, int priority, Role role) {}

    public enum Role { NODE, WITNESS }

    /** A floating address and the driver that moves it. {@code arp} is null unless that driver. */
    public record VipConfig(String name, String address, Driver driver, Arp arp, Mode mode, Preempt preempt) {}

    public enum Driver { LOOPBACK, ARP }

    /** Only one owner at a time; {@code active_active} (every healthy node announces, over BGP) is not built yet. */
    public enum Mode { ACTIVE_PASSIVE }

    public record Arp(String iface, int prefix, int garpRepeat, Duration garpRefresh) {}

    public record Preempt(boolean enabled, Duration delay) {}
}
