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
    /** An active-active VIP has no owner to preempt. */
    private static final Preempt NO_PREEMPT = new Preempt(false, Duration.ZERO);

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
            Mode mode = v.get("mode", Values.oneOf(Mode.class), Mode.ACTIVE_PASSIVE);
            if (mode == Mode.ACTIVE_ACTIVE && driver != null && driver != Driver.BGP) {
                // an address on one segment can be answered for by one host only; routes can lead to many
                v.get("mode").error("active_active needs driver: bgp (with " + driver.name().toLowerCase()
                        + " only one node can hold the address)");
            }
            if (mode == Mode.ACTIVE_ACTIVE && v.has("preempt")) {
                v.get("preempt").keyError("applies only to mode: active_passive (in active_active every node that can"
                        + " serve announces)");
            }
            vips.add(new VipConfig(name, address, driver,
                    driverSettings(v, "arp", driver == Driver.ARP) ? arp(v.get("arp"), address) : null,
                    mode, mode == Mode.ACTIVE_ACTIVE ? NO_PREEMPT : preempt(v.get("preempt")), bgp(v, driver == Driver.BGP)));
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
