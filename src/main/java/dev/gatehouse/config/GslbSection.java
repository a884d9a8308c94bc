package dev.gatehouse.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.xbill.DNS.Name;

/** Reads {@code gslb:}, the authoritative DNS server, with its records and health-checked targets. */
final class GslbSection {

    /** RFC 2181 §8: a TTL is 0..2^31-1. */
    private static final long MAX_TTL = Integer.MAX_VALUE;
    /** A dynamic answer cached longer than this would outlive any failover it follows. */
    private static final int MAX_DYNAMIC_TTL = 3600;
    private static final int STATIC_TTL = 300;
    private static final int DYNAMIC_TTL = 30;
    private static final Set<String> CHECK_SCHEMES = Set.of("http", "https", "tcp");

    private final YamlNode section;
    private Name zone;

    private GslbSection(YamlNode section) {
        this.section = section;
    }

    /** The section, or null when absent or invalid (with its errors recorded). */
    static GslbConfig read(YamlNode section, BindTable binds) {
        if (section == null || !section.expectKeys("bind", "zone", "soa", "ns", "records", "secondaries", "health", "peers")) {
            return null;
        }
        return new GslbSection(section).read(binds);
    }

    private GslbConfig read(BindTable binds) {
        HostPort bind = section.require("bind", Addresses::listenAddress);
        if (bind != null) {
            binds.claim(bind, "gslb.bind", section.get("bind"));
        }
        zone = section.require("zone", GslbSection::zoneName);
        if (zone == null) {
            return null;
        }
        List<String> ns = section.has("ns")
                ? parsed(section.requireItems("ns", "name server"), text -> DnsRecords.name(text, zone).toString())
                : List.of("ns1." + zone);
        GslbConfig.Soa soa = soa(section.get("soa"), ns.isEmpty() ? "ns1." + zone : ns.getFirst());
        List<GslbConfig.RecordSet> records = records();
        List<HostPort> secondaries = parsed(section.list("secondaries"), GslbSection::secondary);
        GslbConfig.Health health = health(section.get("health"));
        List<HostPort> peers = parsed(section.list("peers"), Addresses::hostPort);
        return bind == null ? null : new GslbConfig(bind, zone.toString(), soa, ns, records, secondaries, health, peers);
    }

    /** The items that parse (the others have their errors recorded). */
    private static <T> List<T> parsed(List<YamlNode> items, Function<String, T> parser) {
        List<T> out = new ArrayList<>();
        for (YamlNode item : items) {
            T value = item.as(parser);
            if (value != null) {
                out.add(value);
            }
        }
        return out;
    }

    private static Name zoneName(String text) {
        Name n = DnsRecords.name(text, null);
        if (n.labels() < 2) {
            throw new IllegalArgumentException("must be a zone below the root, such as example.com., got '" + text + "'");
        }
        return n;
    }

    private static HostPort secondary(String text) {
        HostPort hp = Addresses.hostPort(text);
        Addresses.ip(hp.host()); // transfers are allowed by source address: a name would say nothing
        return hp;
    }

    private GslbConfig.Soa soa(YamlNode s, String firstNs) {
        String rname = "hostmaster." + zone;
        if (s == null || !s.expectKeys("mname", "rname", "ttl", "refresh", "retry", "expire", "minimum")) {
            return new GslbConfig.Soa(firstNs, rname, 3600, 3600, 600, 1_209_600, 60);
        }
        return new GslbConfig.Soa(
                s.get("mname", text -> DnsRecords.name(text, zone).toString(), firstNs),
                s.get("rname", text -> DnsRecords.name(text, zone).toString(), rname),
                s.get("ttl", Values.integer(0, Integer.MAX_VALUE), 3600),
                s.get("refresh", Values.integer(1, Integer.MAX_VALUE), 3600),
                s.get("retry", Values.integer(1, Integer.MAX_VALUE), 600),
                s.get("expire", Values.integer(1, Integer.MAX_VALUE), 1_209_600),
                s.get("minimum", Values.integer(0, 86_400), 60));
    }

    private static GslbConfig.Health health(YamlNode h) {
        Duration interval = Duration.ofSeconds(2);
        Duration timeout = Duration.ofSeconds(1);
        if (h == null || !h.expectKeys("interval", "timeout", "rise", "fall")) {
            return new GslbConfig.Health(interval, timeout, 2, 3);
        }
        interval = h.get("interval", Values.POSITIVE_DURATION, interval);
        timeout = h.get("timeout", Values.POSITIVE_DURATION, timeout.compareTo(interval) > 0 ? interval : timeout);
        if (timeout.compareTo(interval) > 0) {
            h.get("timeout").error("must not be longer than the interval (" + Durations.format(interval) + ")");
        }
        return new GslbConfig.Health(interval, timeout, h.get("rise", Values.integer(1, 100), 2), h.get("fall", Values.integer(1, 100), 3));
    }

    private List<GslbConfig.RecordSet> records() {
        List<GslbConfig.RecordSet> out = new ArrayList<>();
        Map<Name, Map<String, Integer>> typesAt = new HashMap<>(); // name -> type ("dynamic" for a dynamic one) -> line
        for (YamlNode r : section.list("records")) {
            if (!r.expectKeys("name", "ttl", "type", "value", "values", "policy", "targets", "fallback")) {
                continue;
            }
            Name name = r.require("name", text -> DnsRecords.nameInZone(text, zone));
            boolean dynamic = r.has("policy") || r.has("targets");
            GslbConfig.RecordSet set = dynamic ? dynamicRecord(r, name) : staticRecord(r, name);
            if (set != null && name != null) {
                conflicts(typesAt.computeIfAbsent(name, n -> new HashMap<>()), dynamic ? "dynamic" : set.type(), name, r);
                out.add(set);
            }
        }
        return out;
    }

    /** Errors for a second record set of one type at a name, and for CNAMEs and dynamic records beside other data. */
    private void conflicts(Map<String, Integer> types, String type, Name name, YamlNode at) {
        Integer first = types.get(type);
        if (first != null) {
            at.error("a second " + type + " record set for " + name + " (first at line " + first + "); list every value in one");
            return;
        }
        for (var e : types.entrySet()) {
            String other = e.getKey();
            if (type.equals("CNAME") || other.equals("CNAME")) {
                at.error(name + " has a CNAME and other records (line " + e.getValue() + "); a CNAME must stand alone");
            } else if ((type.equals("dynamic") && (other.equals("A") || other.equals("AAAA")))
                    || (other.equals("dynamic") && (type.equals("A") || type.equals("AAAA")))) {
                at.error(name + " has static addresses and a dynamic record (line " + e.getValue() + "); the dynamic record answers A and AAAA");
            }
        }
        types.put(type, at.line());
    }

    private GslbConfig.RecordSet staticRecord(YamlNode r, Name name) {
        String type = r.require("type", GslbSection::staticType);
        long ttl = r.get("ttl", Values.longInteger(0, MAX_TTL), (long) STATIC_TTL);
        if (r.has("fallback")) {
            r.get("fallback").keyError("belongs to a dynamic record (with policy and targets)");
        }
        List<YamlNode> valueNodes = new ArrayList<>();
        if (r.has("value") && r.has("values")) {
            r.get("values").keyError("give either value or values, not both");
        } else if (r.has("value")) {
            valueNodes.add(r.get("value"));
        } else if (r.has("values")) {
            valueNodes.addAll(r.requireItems("values", "value"));
        } else {
            r.keyError("a static record needs value or values (or policy and targets for a dynamic one)");
        }
        if (type == null || name == null) {
            return null;
        }
        if (name.equals(zone) && (type.equals("NS") || type.equals("CNAME"))) {
            r.get("type").error(type.equals("NS") ? "the zone's own name servers are set by gslb.ns" : "the zone's apex cannot be a CNAME");
            return null;
        }
        List<String> values = new ArrayList<>();
        for (YamlNode v : valueNodes) {
            String value = v.as(text -> {
                DnsRecords.record(name, type, (int) ttl, text, zone);
                return text;
            });
            if (value != null) {
                values.add(value);
            }
        }
        if (type.equals("CNAME") && values.size() > 1) {
            r.get("values").error("a CNAME has exactly one value");
        }
        return new GslbConfig.RecordSet(name.toString(), type, (int) ttl, values, null, List.of(), List.of());
    }

    private static String staticType(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT);
        if (!DnsRecords.STATIC_TYPES.contains(t)) {
            throw new IllegalArgumentException("must be one of A | AAAA | CNAME | TXT | MX | SRV | CAA | NS, got '" + text + "'"
                    + (t.equals("SOA") ? " (the SOA is set by gslb.soa)" : ""));
        }
        return t;
    }

    private GslbConfig.RecordSet dynamicRecord(YamlNode r, Name name) {
        for (String key : new String[] {"type", "value", "values"}) {
            if (r.has(key)) {
                r.get(key).keyError("a dynamic record (policy and targets) answers A and AAAA from its targets' addresses; remove " + key);
            }
        }
        GslbConfig.Policy policy = r.require("policy", Values.oneOf(GslbConfig.Policy.class));
        int ttl = r.get("ttl", Values.integer(0, MAX_DYNAMIC_TTL), DYNAMIC_TTL);
        List<GslbConfig.Target> targets = new ArrayList<>();
        Duplicates<String> addresses = new Duplicates<>("target address");
        for (YamlNode t : r.requireItems("targets", "target")) {
            GslbConfig.Target target = target(t, policy);
            if (target != null) {
                addresses.check(target.address(), t.get("address"));
                targets.add(target);
            }
        }
        List<String> fallback = parsed(r.list("fallback"), Addresses::ip);
        if (policy == null || name == null) {
            return null;
        }
        return new GslbConfig.RecordSet(name.toString(), null, ttl, List.of(), policy, targets, fallback);
    }

    private static GslbConfig.Target target(YamlNode t, GslbConfig.Policy policy) {
        if (!t.expectKeys("address", "region", "check", "geo", "weight")) {
            return null;
        }
        String address = t.require("address", Addresses::ip);
        String region = t.get("region", Names::identifier, null);
        String check = t.require("check", GslbSection::checkUrl);
        if (t.has("geo") && (policy == GslbConfig.Policy.WEIGHTED || policy == GslbConfig.Policy.ALL_HEALTHY)) {
            t.get("geo").keyError("applies to policies geo and failover only (this record's policy is " + Values.yamlName(policy) + ")");
        }
        List<String> geo = parsed(t.list("geo"), Addresses::cidr);
        if (t.has("weight") && policy != null && policy != GslbConfig.Policy.WEIGHTED) {
            t.get("weight").keyError("applies to policy weighted only (this record's policy is " + Values.yamlName(policy) + ")");
        }
        int weight = t.get("weight", Values.integer(1, 1000), 1);
        return address == null || check == null ? null : new GslbConfig.Target(address, region, check, geo, weight);
    }

    /** {@code http://host[:port]/path}, {@code https://...} or {@code tcp://host:port}. */
    static String checkUrl(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("must be a URL such as http://192.0.2.10/healthz or tcp://192.0.2.10:443, got '" + text + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!CHECK_SCHEMES.contains(scheme) || !scheme.equals(uri.getScheme())) {
            throw new IllegalArgumentException("must start with http://, https:// or tcp://, got '" + text + "'");
        }
        if (uri.getHost() == null || uri.getUserInfo() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("must name a host (and nothing like user@ or #fragment), got '" + text + "'");
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        if (host.indexOf(':') >= 0) {
            Addresses.ip(host);
        } else {
            Addresses.host(host);
        }
        if (scheme.equals("tcp") && (uri.getPort() < 0 || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())
                || uri.getRawQuery() != null)) {
            throw new IllegalArgumentException("a tcp check is tcp://host:port and nothing more, got '" + text + "'");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got '" + text + "'");
        }
        return text.strip();
    }
}
