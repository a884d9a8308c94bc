package dev.gatehouse.gslb;

import dev.gatehouse.config.DnsRecords;
import dev.gatehouse.config.GslbConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * What a zone holds as configured, immutable: the static record sets of every name, the dynamic records, and
 * every name that exists only because a name below it does (an empty non-terminal answers NODATA, not NXDOMAIN).
 * Health state is not here: {@link ZoneSnapshot} joins the two.
 */
final class ZoneData {

    /** One owner name. {@code rrsets} by type, in type order; {@code cut} when it is a delegation (NS below the apex). */
    record Node(Name name, Map<Integer, List<Record>> rrsets, DynamicRecord dynamic, boolean cut) {

        List<Record> rrset(int type) {
            return rrsets.get(type);
        }
    }

    private final Name apex;
    private final GslbConfig.Soa soa;
    private final Name mname;
    private final Name rname;
    private final Map<Name, Node> nodes;
    /** Whether any name below the apex is delegated: without, no query need look for a cut above its name. */
    private final boolean delegates;
    private final List<DynamicRecord> dynamics;
    private final List<Record> staticRecords;

    private ZoneData(Name apex, GslbConfig.Soa soa, Map<Name, Node> nodes, List<DynamicRecord> dynamics) {
        this.apex = apex;
        this.soa = soa;
        this.mname = DnsRecords.name(soa.mname(), apex);
        this.rname = DnsRecords.name(soa.rname(), apex);
        this.nodes = nodes;
        this.delegates = nodes.values().stream().anyMatch(Node::cut);
        this.dynamics = dynamics;
        List<Name> names = new ArrayList<>(nodes.keySet());
        Collections.sort(names); // canonical DNS order: the apex first, then each name before its children
        List<Record> all = new ArrayList<>();
        for (Name n : names) {
            nodes.get(n).rrsets().values().forEach(all::addAll);
        }
        this.staticRecords = List.copyOf(all);
    }

    /** The zone a validated config describes. */
    static ZoneData of(GslbConfig config) {
        Name apex = DnsRecords.name(config.zone(), null);
        Map<Name, Map<Integer, List<Record>>> sets = new HashMap<>();
        Map<Name, DynamicRecord> dynamic = new HashMap<>();
        List<DynamicRecord> dynamics = new ArrayList<>();
        for (String ns : config.ns()) {
            add(sets, new NSRecord(apex, DClass.IN, config.soa().ttl(), DnsRecords.name(ns, apex)));
        }
        int firstTarget = 0;
        for (GslbConfig.RecordSet r : config.records()) {
            Name owner = DnsRecords.nameInZone(r.name(), apex);
            if (r.dynamic()) {
                DynamicRecord d = new DynamicRecord(owner, r, dynamics.size(), firstTarget);
                firstTarget += d.targets().size();
                dynamic.put(owner, d);
                dynamics.add(d);
                sets.computeIfAbsent(owner, n -> new TreeMap<>());
            } else {
                for (String value : r.values()) {
                    add(sets, DnsRecords.record(owner, r.type(), r.ttl(), value, apex));
                }
            }
        }
        Map<Name, Node> nodes = new HashMap<>();
        for (var e : sets.entrySet()) {
            Name name = e.getKey();
            boolean cut = !name.equals(apex) && e.getValue().containsKey(Type.NS);
            nodes.put(name, new Node(name, Collections.unmodifiableMap(e.getValue()), dynamic.get(name), cut));
            // every name between this one and the apex exists, empty unless it has data of its own
            for (Name parent = parentOf(name); parent != null && parent.subdomain(apex); parent = parentOf(parent)) {
                nodes.putIfAbsent(parent, new Node(parent, Map.of(), null, false));
            }
        }
        nodes.putIfAbsent(apex, new Node(apex, Map.of(), null, false));
        return new ZoneData(apex, config.soa(), Map.copyOf(nodes), List.copyOf(dynamics));
    }

    private static void add(Map<Name, Map<Integer, List<Record>>> sets, Record r) {
        List<Record> set = sets.computeIfAbsent(r.getName(), n -> new TreeMap<>()).computeIfAbsent(r.getType(), t -> new ArrayList<>());
        if (!set.contains(r)) {
            set.add(r);
        }
    }

    private static Name parentOf(Name name) {
        return name.labels() <= 1 ? null : new Name(name, 1);
    }

    Name apex() {
        return apex;
    }

    /** The node at {@code name} (any case), or null when the name does not exist in the zone. */
    Node node(Name name) {
        return nodes.get(name);
    }

    /** The closest delegation at or above {@code name} and below the apex, or null. */
    Node cutAbove(Name name) {
        if (!delegates) {
            return null;
        }
        for (Name n = name; n != null && n.labels() > apex.labels(); n = parentOf(n)) {
            Node node = nodes.get(n);
            if (node != null && node.cut()) {
                return node;
            }
        }
        return null;
    }

    List<DynamicRecord> dynamics() {
        return dynamics;
    }

    /** The SOA with {@code serial}. */
    SOARecord soa(long serial) {
        return new SOARecord(apex, DClass.IN, soa.ttl(), mname, rname, serial, soa.refresh(), soa.retry(), soa.expire(),
                soa.minimum());
    }

    /** The TTL of the SOA in a negative answer: the lower of its own TTL and its minimum (RFC 2308 §3). */
    int negativeTtl() {
        return Math.min(soa.ttl(), soa.minimum());
    }

    /** Every static record, in canonical order of names and then by type, for hashing and transfers. */
    List<Record> staticRecords() {
        return staticRecords;
    }
}
