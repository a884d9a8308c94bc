package dev.gatehouse.config;

import dev.gatehouse.config.ClusterConfig.Arp;
import dev.gatehouse.config.ClusterConfig.Bgp;
import dev.gatehouse.config.ClusterConfig.BgpPeer;
import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.Preempt;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Reads {@code cluster.vips:} and the settings of their drivers. */
final class VipsSection {

    private static final Function<String, Long> AS_NUMBER = Values.longInteger(1, 4_294_967_295L);
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
            Mode mode = v.get("mode", Values.oneOf(Mode.class), Mode.ACTIVE_PASSIVE);
            if (mode == Mode.ACTIVE_ACTIVE && driver != null && driver != Driver.BGP) {
                v.get("mode").error("active_active needs driver: bgp (every healthy node announces the VIP)");
            }
            vips.add(new VipConfig(name, address, driver,
                    driverSettings(v, "arp", driver == Driver.ARP) ? arp(v.get("arp"), address) : null,
                    driverSettings(v, "bgp", driver == Driver.BGP) ? bgp(v.get("bgp")) : null,
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

    private static Bgp bgp(YamlNode b) {
        if (!b.expectKeys("local_as", "router_id", "peers")) {
            return null;
        }
        List<BgpPeer> peers = new ArrayList<>();
        for (YamlNode p : b.requireItems("peers", "peer")) {
            if (p.expectKeys("address", "as")) {
                Long as = p.require("as", AS_NUMBER);
                peers.add(new BgpPeer(p.require("address", Addresses::ip), as == null ? 0 : as));
            }
        }
        Long localAs = b.require("local_as", AS_NUMBER);
        return new Bgp(localAs == null ? 0 : localAs, b.require("router_id", VipsSection::routerId), peers);
    }

    private static String routerId(String text) {
        if (Addresses.ip(text).indexOf(':') >= 0) {
            throw new IllegalArgumentException("must be an IPv4 address (a BGP router id), got '" + text + "'");
        }
        return text.strip();
    }

    private static Preempt preempt(YamlNode p) {
        if (p == null || !p.expectKeys("enabled", "delay")) {
            return DEFAULT_PREEMPT;
        }
        return new Preempt(p.get("enabled", Values.BOOL, true), p.get("delay", Values.DURATION, Duration.ZERO));
    }
}
