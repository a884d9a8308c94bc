package dev.gatehouse.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads {@code node.bgp:}. */
final class BgpSection {

    private static final long MAX_AS = 0xFFFFFFFFL;
    /** BFD intervals a JVM event loop keeps to (the BFD package refuses less) up to a slow link's. */
    private static final Duration MIN_BFD_INTERVAL = Duration.ofMillis(10);
    private static final Duration MAX_BFD_INTERVAL = Duration.ofSeconds(10);
    /** Linux's TCP_MD5SIG_MAXKEYLEN. */
    private static final int MAX_KEY_BYTES = 80;

    private BgpSection() {}

    static BgpConfig read(YamlNode bgp, Path baseDir) {
        if (bgp == null || !bgp.expectKeys("local_as", "router_id", "peers", "graceful_shutdown")) {
            return null;
        }
        Long localAs = bgp.require("local_as", Values.longInteger(1, MAX_AS));
        String routerId = bgp.require("router_id", BgpSection::ipv4);
        Duration graceful = bgp.get("graceful_shutdown", Values.DURATION, BgpConfig.DEFAULT_GRACEFUL_SHUTDOWN);
        List<BgpConfig.Peer> peers = new ArrayList<>();
        Duplicates<String> seen = new Duplicates<>("BGP peer");
        for (YamlNode p : bgp.requireItems("peers", "BGP peer")) {
            if (!p.expectKeys("address", "as", "port", "hold_time", "password_file", "bfd")) {
                continue;
            }
            String address = p.require("address", Addresses::ip);
            int port = p.get("port", Values.integer(1, 65535), 179);
            if (address != null) {
                seen.check(address + " port " + port, p.get("address"));
            }
            Long as = p.require("as", Values.longInteger(1, MAX_AS));
            Duration hold = p.get("hold_time", BgpSection::holdTime, BgpConfig.DEFAULT_HOLD_TIME);
            String key = p.has("password_file") ? md5Key(p.get("password_file"), baseDir) : null;
            BgpConfig.Bfd bfd = bfd(p.get("bfd"));
            if (address != null && as != null) {
                peers.add(new BgpConfig.Peer(address, as, port, hold, key, bfd));
            }
        }
        if (localAs == null || routerId == null) {
            return null;
        }
        return new BgpConfig(localAs, routerId, peers, graceful);
    }

    /** {@code bfd: { interval, multiplier }}, both required; null when absent or wrong (the error recorded). */
    private static BgpConfig.Bfd bfd(YamlNode bfd) {
        if (bfd == null || !bfd.expectKeys("interval", "multiplier")) {
            return null;
        }
        Duration interval = bfd.require("interval", BgpSection::bfdInterval);
        Integer multiplier = bfd.require("multiplier", Values.integer(2, 255));
        return interval == null || multiplier == null ? null : new BgpConfig.Bfd(interval, multiplier);
    }

    private static Duration bfdInterval(String text) {
        Duration d = Durations.parse(text);
        if (d.compareTo(MIN_BFD_INTERVAL) < 0 || d.compareTo(MAX_BFD_INTERVAL) > 0) {
            throw new IllegalArgumentException("must be 10ms..10s, got " + text);
        }
        return d;
    }

    private static String ipv4(String text) {
        String ip = Addresses.ip(text);
        if (ip.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a router id is an IPv4 address (RFC 4271), got '" + text + "'");
        }
        return ip;
    }

    /** RFC 4271: 0 (no keepalives) or 3 s to 65535 s, in whole seconds. */
    private static Duration holdTime(String text) {
        Duration d = Durations.parse(text);
        if (d.toNanosPart() != 0) {
            throw new IllegalArgumentException("must be whole seconds, got " + text);
        }
        if (!d.isZero() && (d.toSeconds() < 3 || d.toSeconds() > 65535)) {
            throw new IllegalArgumentException("must be 0 or 3s..65535s (RFC 4271), got " + text);
        }
        return d;
    }

    /** The key in the file, trimmed; null after recording why it cannot be one. */
    private static String md5Key(YamlNode at, Path baseDir) {
        String name = at.as(Values.TEXT);
        ConfigPaths.FileText read = name == null ? null : ConfigPaths.readText(at, name, baseDir);
        if (read == null) {
            return null;
        }
        String key = read.text().strip();
        if (key.isEmpty()) {
            at.error(read.file() + " is empty");
        } else if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            at.error(read.file() + " holds a key longer than " + MAX_KEY_BYTES + " bytes (the TCP-MD5 limit)");
        } else {
            return key;
        }
        return null;
    }
}
