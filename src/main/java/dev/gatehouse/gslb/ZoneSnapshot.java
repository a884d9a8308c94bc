package dev.gatehouse.gslb;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

/**
 * The zone as answered at one moment: its data, which targets are up, what each dynamic record may answer with,
 * and the SOA whose serial names that state. Immutable; the server reads the current one through a volatile field
 * and a state change publishes a new one.
 *
 * <p>The serial is a digest of everything a transfer would carry (the static records and each dynamic record's
 * current answer), so every server with the same config that sees the same targets up answers with the same
 * serial, and it changes whenever an answer does.
 */
final class ZoneSnapshot {

    private final ZoneData zone;
    private final TargetStates states;
    /** Per dynamic record: [0] its IPv4 candidates, [1] its IPv6 ones. */
    private final Candidates[][] candidates;
    private final SOARecord soa;
    private final SOARecord negativeSoa;

    ZoneSnapshot(ZoneData zone, TargetStates states) {
        this(zone, states, candidates(zone, states), -1);
    }

    private ZoneSnapshot(ZoneData zone, TargetStates states, Candidates[][] candidates, long serial) {
        this.zone = zone;
        this.states = states;
        this.candidates = candidates;
        this.soa = zone.soa(serial >= 0 ? serial : serial(zone, candidates));
        this.negativeSoa = new SOARecord(soa.getName(), DClass.IN, zone.negativeTtl(), soa.getHost(), soa.getAdmin(),
                soa.getSerial(), soa.getRefresh(), soa.getRetry(), soa.getExpire(), soa.getMinimum());
    }

    /** The SOA as the authority of a negative answer: at the negative TTL (RFC 2308 §3). */
    SOARecord negativeSoa() {
        return negativeSoa;
    }

    private static Candidates[][] candidates(ZoneData zone, TargetStates states) {
        Candidates[][] out = new Candidates[zone.dynamics().size()][];
        for (DynamicRecord d : zone.dynamics()) {
            out[d.index()] = new Candidates[] {Candidates.of(d, true, states), Candidates.of(d, false, states)};
        }
        return out;
    }

    /** The same answers under another serial (a step on the way to this one's, see {@link SerialSteps}). */
    ZoneSnapshot withSerial(long serial) {
        return new ZoneSnapshot(zone, states, candidates, serial);
    }

    ZoneData zone() {
        return zone;
    }

    TargetStates states() {
        return states;
    }

    SOARecord soa() {
        return soa;
    }

    long serial() {
        return soa.getSerial();
    }

    Candidates candidates(DynamicRecord record, boolean ipv4) {
        return candidates[record.index()][ipv4 ? 0 : 1];
    }

    /** Every record a transfer carries but the SOA: the static ones and each dynamic record's current answer. */
    List<Record> records() {
        List<Record> all = new ArrayList<>(zone.staticRecords());
        for (Candidates[] family : candidates) {
            family[0].current(all);
            family[1].current(all);
        }
        return all;
    }

    private static long serial(ZoneData zone, Candidates[][] candidates) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
        sha.update(zone.soa(0).rdataToString().getBytes(StandardCharsets.UTF_8));
        for (Record r : zone.staticRecords()) {
            sha.update((r + "\n").getBytes(StandardCharsets.UTF_8));
        }
        for (Candidates[] family : candidates) {
            for (Candidates c : family) {
                List<Record> current = new ArrayList<>();
                c.current(current);
                sha.update((c.failingOpen() + " " + current + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] d = sha.digest();
        long serial = ((d[0] & 0xFFL) << 24) | ((d[1] & 0xFFL) << 16) | ((d[2] & 0xFFL) << 8) | (d[3] & 0xFFL);
        return serial == 0 ? 1 : serial;
    }
}
