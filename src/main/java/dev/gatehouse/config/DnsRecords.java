package dev.gatehouse.config;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Turns the {@code gslb:} section's names and static values into DNS records, for validation and for the server,
 * so both read them the same way.
 */
public final class DnsRecords {

    /** The types a static record may have; the apex SOA and NS come from {@code soa} and {@code ns}. */
    public static final Set<String> STATIC_TYPES = Set.of("A", "AAAA", "CNAME", "TXT", "MX", "SRV", "CAA", "NS");
    /** A TXT character-string holds at most this many bytes; longer text is split into several. */
    private static final int TXT_CHUNK = 255;

    private DnsRecords() {}

    /** An absolute, lower-case name: {@code @} is the zone, a name without the final dot is taken as absolute too. */
    public static Name name(String text, Name zone) {
        String t = text.strip();
        if (t.equals("@") && zone != null) {
            return zone;
        }
        if (t.isEmpty() || t.contains("*") || t.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
            throw new IllegalArgumentException("must be a domain name such as api.example.com., got '" + text + "'");
        }
        try {
            return Name.fromString(t.endsWith(".") ? t : t + ".").canonicalize();
        } catch (TextParseException e) {
            throw new IllegalArgumentException("must be a domain name such as api.example.com.: " + e.getMessage());
        }
    }

    /** {@link #name} that must be {@code zone} or inside it. */
    public static Name nameInZone(String text, Name zone) {
        Name n = name(text, zone);
        if (!n.subdomain(zone)) {
            throw new IllegalArgumentException("must be inside the zone " + zone + ", got '" + text + "'");
        }
        return n;
    }

    /**
     * One record of a static set. TXT values are taken as literal text (no quoting needed); the others are in zone-file
     * form ({@code 10 mail.example.com.}, {@code 0 issue "ca.example"}), names in them relative to the zone.
     */
    public static Record record(Name owner, String type, int ttl, String value, Name zone) {
        int code = Type.value(type.toUpperCase(Locale.ROOT));
        if (code == Type.TXT) {
            return new TXTRecord(owner, DClass.IN, ttl, chunks(value));
        }
        try {
            Record r = Record.fromString(owner, code, DClass.IN, ttl, value, zone);
            Name target = r.getAdditionalName();
            if (code == Type.CNAME) {
                target = ((org.xbill.DNS.CNAMERecord) r).getTarget();
            }
            if (target != null) {
                r = Record.fromString(owner, code, DClass.IN, ttl, lowerNames(r), zone);
            }
            return r;
        } catch (IOException | IllegalArgumentException e) {
            String why = String.valueOf(e.getMessage()).replaceFirst("^<none>:\\d+: ", "");
            throw new IllegalArgumentException("is not a valid " + type + " value: '" + value + "' (" + why + ")");
        }
    }

    /** Names inside rdata are stored in lower case, as reference servers load them. */
    private static String lowerNames(Record r) {
        return r.rdataToString().toLowerCase(Locale.ROOT);
    }

    private static List<String> chunks(String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        int start = 0;
        do {
            int end = Math.min(bytes.length, start + TXT_CHUNK);
            while (end < bytes.length && end > start && (bytes[end] & 0xC0) == 0x80) {
                end--; // never split a UTF-8 sequence
            }
            out.add(new String(bytes, start, end - start, java.nio.charset.StandardCharsets.UTF_8));
            start = end;
        } while (start < bytes.length);
        return out;
    }
}
