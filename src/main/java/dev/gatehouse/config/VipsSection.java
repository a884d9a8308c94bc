package dev.gatehouse.config;

import dev.gatehouse.config.ClusterConfig.Arp;
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
            Driver driver = Unbuilt.refused(v.get("driver"), "bgp", "the BGP VIP driver")
                    ? null : v.require("driver", Values.oneOf(Driver.class));
            Mode mode = Unbuilt.refused(v.get("mode"), "active_active", "active-active VIPs, which need the BGP driver")
                    ? null : v.get("mode", Values.oneOf(Mode.class), Mode.ACTIVE_PASSIVE);
            if (v.has("bgp")) {
                Unbuilt.refuse(v.get("bgp"), "the BGP VIP driver");
            }
            vips.add(new VipConfig(name, address, driver,
                    driverSettings(v, "arp", driver == Driver.ARP) ? arp(v.get("arp"), address) : null,
                    mode, preempt(v.get("preempt"))));
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

    private static Preempt preempt(YamlNode p) {
        if (p == null || !p.expectKeys("enabled", "delay")) {
            return DEFAULT_PREEMPT;
        }
        return new Preempt(p.get("enabled", Values.BOOL, true), p.get("delay", Values.DURATION, Duration.ZERO));
    }
}
