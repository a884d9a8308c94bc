package dev.gatehouse.config;

import dev.gatehouse.config.GslbConfig.Policy;
import dev.gatehouse.config.GslbConfig.Record;
import dev.gatehouse.config.GslbConfig.Target;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads {@code gslb:}: the zone served and its health-checked records. */
final class GslbSection {

    private GslbSection() {}

    static GslbConfig read(YamlNode g, BindTable binds) {
        if (!g.expectKeys("bind", "zone", "records")) {
            return null;
        }
        HostPort bind = g.require("bind", Addresses::hostPort);
        if (bind != null) {
            binds.claim(bind, "gslb.bind", g.get("bind"));
        }
        String zone = g.require("zone", GslbSection::absoluteName);
        List<Record> records = new ArrayList<>();
        Duplicates<String> names = new Duplicates<>("record");
        for (YamlNode r : g.requireItems("records", "record")) {
            if (r.expectKeys("name", "ttl", "policy", "targets")) {
                records.add(record(r, zone, names));
            }
        }
        return new GslbConfig(bind, zone, records);
    }

    private static Record record(YamlNode r, String zone, Duplicates<String> names) {
        String name = r.require("name", GslbSection::absoluteName);
        if (name != null) {
            names.check(name.toLowerCase(Locale.ROOT), r.get("name"));
            if (zone != null && !inZone(name, zone)) {
                r.get("name").error("is outside the zone " + zone);
            }
        }
        Policy policy = r.get("policy", Values.oneOf(Policy.class), Policy.FAILOVER);
        List<Target> targets = new ArrayList<>();
        Duplicates<String> addresses = new Duplicates<>("target address");
        for (YamlNode t : r.requireItems("targets", "target")) {
            if (!t.expectKeys("address", "region", "check", "geo", "weight")) {
                continue;
            }
            String address = t.require("address", Addresses::ip);
            addresses.check(address, t.get("address"));
            List<String> geo = new ArrayList<>();
            for (YamlNode cidr : t.list("geo")) {
                String block = cidr.as(Addresses::cidr);
                if (block != null) {
                    geo.add(block);
                }
            }
            if (policy == Policy.GEO && !t.has("geo")) {
                t.error("policy geo needs geo: (the client networks this target serves) on every target");
            }
            targets.add(new Target(address, t.get("region", Values.TEXT, null), t.get("check", GslbSection::checkUrl, null),
                    geo, t.get("weight", Values.integer(1, 1000), 1)));
        }
        return new Record(name, r.get("ttl", Values.integer(0, 86_400), 30), policy, targets);
    }

    private static boolean inZone(String name, String zone) {
        String n = name.toLowerCase(Locale.ROOT);
        String z = zone.toLowerCase(Locale.ROOT);
        return n.equals(z) || z.equals(".") || n.endsWith("." + z);
    }

    /** A fully qualified DNS name: {@code example.com.} */
    static String absoluteName(String text) {
        String t = text.strip();
        if (!t.endsWith(".")) {
            throw new IllegalArgumentException("must be a fully qualified name ending in '.', as in " + t + ".");
        }
        return t.equals(".") ? t : Addresses.host(t);
    }

    /** {@code http://host[:port]/path} or {@code tcp://host:port}. */
    static String checkUrl(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("must be a URL such as http://HOST/healthz or tcp://HOST:PORT, got '" + text + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        boolean ok = switch (scheme) {
            case "http" -> uri.getHost() != null;
            case "tcp" -> uri.getHost() != null && uri.getPort() > 0 && (uri.getPath() == null || uri.getPath().isEmpty());
            default -> false;
        };
        if (!ok) {
            throw new IllegalArgumentException("must be a URL such as http://HOST/healthz or tcp://HOST:PORT, got '" + text + "'");
        }
        return text.strip();
    }
}
