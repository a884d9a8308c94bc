package dev.gatehouse.gslb;

import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Answers one in-zone question from a {@link ZoneSnapshot}: the answer, authority and additional sections, the
 * rcode and whether the answer is authoritative (a referral below a delegation is not). Follows CNAME chains
 * inside the zone; answers ANY with one record set (RFC 8482); answers NXDOMAIN and NODATA with the SOA at the
 * negative TTL (RFC 2308).
 */
final class Lookup {

    /** Longest CNAME chain followed inside the zone; a loop ends here too. */
    private static final int MAX_CHAIN = 8;
    private static final int[] ADDRESS_TYPES = {Type.A, Type.AAAA};

    final List<Record> answer = new ArrayList<>(4);
    final List<Record> authority = new ArrayList<>(1);
    final List<Record> additional = new ArrayList<>(0);
    int rcode = Rcode.NOERROR;
    boolean authoritative = true;
    /** The ECS scope prefix of the answer: 0 unless a geo record chose by the client's address. */
    int scope;

    private final ZoneSnapshot snapshot;
    private final DnsStats stats;

    Lookup(ZoneSnapshot snapshot, DnsStats stats) {
        this.snapshot = snapshot;
        this.stats = stats;
    }

    /** @param client the client's address bytes for geo records (the ECS subnet or the resolver), or null */
    Lookup run(Name qname, int qtype, byte[] client) {
        ZoneData zone = snapshot.zone();
        Name name = qname;
        for (int hop = 0; hop <= MAX_CHAIN; hop++) {
            ZoneData.Node cut = zone.cutAbove(qtype == Type.DS && name.equals(qname) ? parent(name, zone) : name);
            if (cut != null) {
                if (hop == 0) {
                    referral(cut);
                }
                return this;
            }
            ZoneData.Node node = zone.node(name);
            if (node == null) {
                rcode = Rcode.NXDOMAIN;
                negative();
                return this;
            }
            if (qtype == Type.ANY) {
                firstSet(node, client);
                return this;
            }
            List<Record> cname = node.rrset(Type.CNAME);
            if (cname != null && qtype != Type.CNAME) {
                answer.addAll(cname);
                name = ((CNAMERecord) cname.getFirst()).getTarget();
                if (!name.subdomain(zone.apex())) {
                    return this;
                }
                continue;
            }
            if (!addSet(node, qtype, client)) {
                negative();
            }
            return this;
        }
        return this;
    }

    private static Name parent(Name name, ZoneData zone) {
        return name.equals(zone.apex()) ? name : new Name(name, 1);
    }

    /** Adds the set of {@code type} at {@code node} (and the additional records it calls for); false when none. */
    private boolean addSet(ZoneData.Node node, int type, byte[] client) {
        if (node.dynamic() != null && (type == Type.A || type == Type.AAAA)) {
            Candidates c = snapshot.candidates(node.dynamic(), type == Type.A);
            if (c.all().isEmpty()) {
                return false;
            }
            int before = answer.size();
            scope = c.select(client, answer);
            stats.answered(node.dynamic(), answer, before);
            return true;
        }
        List<Record> set = type == Type.SOA && node.name().equals(snapshot.zone().apex()) ? List.of(snapshot.soa()) : node.rrset(type);
        if (set == null) {
            return false;
        }
        answer.addAll(set);
        if (type == Type.NS || type == Type.MX || type == Type.SRV) {
            for (Record r : set) {
                glue(r.getAdditionalName());
            }
        }
        return true;
    }

    /** Minimal ANY (RFC 8482): the node's first record set by type, the dynamic addresses counting as A or AAAA. */
    private void firstSet(ZoneData.Node node, byte[] client) {
        if (node.dynamic() != null && (addSet(node, Type.A, client) || addSet(node, Type.AAAA, client))) {
            return;
        }
        for (int type : node.rrsets().keySet()) {
            addSet(node, type, client);
            return;
        }
        negative();
    }

    private void referral(ZoneData.Node cut) {
        authoritative = false;
        List<Record> ns = cut.rrset(Type.NS);
        authority.addAll(ns);
        for (Record r : ns) {
            glue(r.getAdditionalName());
        }
    }

    /** The addresses of {@code target} when the zone holds them (glue for a delegation, the host of an MX or SRV). */
    private void glue(Name target) {
        ZoneData.Node node = snapshot.zone().node(target);
        if (node == null) {
            return;
        }
        for (int type : ADDRESS_TYPES) {
            List<Record> set = node.rrset(type);
            if (set != null) {
                additional.addAll(set);
            }
        }
    }

    private void negative() {
        authority.add(snapshot.negativeSoa());
    }
}
