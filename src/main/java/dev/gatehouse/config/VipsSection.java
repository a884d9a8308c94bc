package dev.gatehouse.config;

import dev.gatehouse.bgp.Community;
import dev.gatehouse.config.ClusterConfig.Arp;
import dev.gatehouse.config.ClusterConfig.Bgp;
import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.Preempt;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads {@code cluster.vips:} and the settings of their drivers. */
final class VipsSection {

    private static final Preempt DEFAULT_PREEMPT = new Preempt(true, Duration.ZERO);

    private VipsSection() {}

    static List<VipConfig> read(List<YamlNode> items) {
        List<VipConfig> vips = new ArrayList<>();
        Duplicates<String> names = new Duplicates<>("VIP name");
        Duplicates<String> addresses = new Duplicates<>("VIP address");
        for (YamlNode v : items) {
            if (!v.expectKeys("name", "address", "driver", "arp", "bgp", "mode", "preempt")) {
                continue;
            }
            String name = v.require("name", Names::identifier);
            names.check(name, v.get("name"));
            String address = v.require("address", Addresses::ip);
            addresses.check(address, v.get("address"));
            Driver driver = v.require("driver", Values.oneOf(Driver.class));
            Mode mode = Unbuilt.refused(v.get("mode"), "active_active", "active-active VIPs")
                    ? null : v.get("mode", Values.oneOf(Mode.class), Mode.ACTIVE_PASSIVE);
            vips.add(new VipConfig(name, address, driver,
                    driverSettings(v, "arp", driver == Driver.ARP) ? arp(v.get("arp"), address) : null,
                    mode, preempt(v.get("preempt")), bgp(v, driver == Driver.BGP)));
        }
        return vips;
    }

    /** Whether the {@code key} section (named after its driver) is present and should be read. */
    private static boolean driverSettings(YamlNode vip, String key, boolean driverSelected) {
        if (driverSelected) {
            return vip.require(key) != null;
        }
        if (vip.has(key)) {
            vip.get(key).keyError("applies only to driver: " + key);
        }
        return false;
    }

    private static Arp arp(YamlNode a, String vipAddress) {
        if (!a.expectKeys("interface", "prefix", "garp_repeat", "garp_refresh")) {
            return null;
        }
        int maxPrefix = vipAddress != null && vipAddress.indexOf(':') >= 0 ? 128 : 32;
        return new Arp(
                a.require("interface", Values.TEXT),
                a.get("prefix", Values.integer(1, maxPrefix), maxPrefix),
                a.get("garp_repeat", Values.integer(1, 100), 3),
                a.get("garp_refresh", Values.DURATION, Duration.ofSeconds(10)));
    }

    /** {@code bgp:} is optional with driver bgp (no communities) and refused with any other. */
    private static Bgp bgp(YamlNode vip, boolean driverSelected) {
        if (!driverSelected) {
            driverSettings(vip, "bgp", false);
            return null;
        }
        YamlNode b = vip.get("bgp");
        if (b == null) {
            return new Bgp(List.of());
        }
        if (!b.expectKeys("communities")) {
            return null;
        }
        List<String> communities = new ArrayList<>();
        for (YamlNode c : b.list("communities")) {
            // normalised to ASN:VALUE; the BGP layer's own parser says what is wrong
            String text = c.as(t -> Community.parse(t).toString());
            if (text != null) {
                communities.add(text);
            }
        }
        return new Bgp(communities);
    }

    private static Preempt preempt(YamlNode p) {
        if (p == null || !p.expectKeys("enabled", "delay")) {
            return DEFAULT_PREEMPT;
        }
        return new Preempt(p.get("enabled", Values.BOOL, true), p.get("delay", Values.DURATION, Duration.ZERO));
    }
}
