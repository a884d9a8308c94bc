package dev.gatehouse.gslb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.FreePorts;
import dev.gatehouse.Tools;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * CONFORMANCE: the same static zone served by Knot DNS and by Gatehouse, and a corpus of queries sent to both; the
 * replies must agree in rcode, flags, question (as sent, in its case), every section (records compared without
 * regard to order or to the case of names in data) and the OPT record. Deliberate differences are listed in
 * {@link #DIFFERENCES} with what Gatehouse answers instead, and asserted as such.
 */
@Timeout(180)
class ConformanceTest {

    /** Cases where Gatehouse answers otherwise on purpose: the case's label, and the rcode it gives. */
    static final Map<String, String> DIFFERENCES = Map.of(
            "NOTIFY opcode", "NOTIMP: Gatehouse is a primary only and takes no NOTIFY; Knot, which can be a secondary, says NOTAUTH",
            "UPDATE opcode", "NOTIMP: Gatehouse takes no dynamic updates; Knot, which can, says NOTAUTH",
            "AXFR over TCP from a stranger", "REFUSED (as BIND and RFC 5936 §5.1 suggest); Knot says NOTAUTH");

    @TempDir
    static Path dir;
    private static TestZones.Server gatehouse;
    private static Knot knot;

    @BeforeAll
    static void start() throws Exception {
        Tools.require("knotd", "knot");
        gatehouse = TestZones.startStatic("127.0.0.1");
        long serial = gatehouse.gslb().snapshot().serial();
        Files.writeString(dir.resolve("example.com.zone"), zoneFile(serial));
        knot = Knot.start(dir, "127.0.0.2", FreePorts.on("127.0.0.2"),
                "zone:\n  - domain: example.com\n    file: \"" + dir.resolve("example.com.zone") + "\"\n", "example.com.");
    }

    @AfterAll
    static void stop() {
        if (knot != null) {
            knot.close();
        }
        if (gatehouse != null) {
            gatehouse.close();
        }
    }

    /** {@link TestZones#STATIC_RECORDS} as a zone file, written out by hand. */
    private static String zoneFile(long serial) {
        String big = List.of("a", "b", "c", "d").stream().map(p -> "big 300 IN TXT \"" + p + TestZones.LONG_TEXT + "\"")
                .collect(Collectors.joining("\n"));
        return """
                $ORIGIN example.com.
                @ 3600 IN SOA ns1.example.com. hostmaster.example.com. %d 3600 600 1209600 60
                @ 3600 IN NS ns1.example.com.
                ns1 300 IN A 127.0.0.2
                www 300 IN A 192.0.2.1
                www 300 IN AAAA 2001:db8::1
                alias 300 IN CNAME www.example.com.
                chain 300 IN CNAME alias.example.com.
                outside 300 IN CNAME www.example.org.
                dangling 300 IN CNAME nothing.example.com.
                @ 300 IN MX 10 mail.example.com.
                @ 300 IN MX 20 mx2.example.net.
                mail 600 IN A 192.0.2.25
                @ 300 IN TXT "v=spf1 mx -all"
                _sip._udp 300 IN SRV 0 5 5060 sip.example.com.
                sip 300 IN AAAA 2001:db8::5060
                @ 300 IN CAA 0 issue "ca.example.net"
                a.b.c 300 IN A 192.0.2.5
                %s
                sub 300 IN NS ns.sub.example.com.
                ns.sub 300 IN A 192.0.2.53
                """.formatted(serial, big);
    }

    // ---- the corpus

    private record Case(String label, byte[] query, boolean tcp) {}

    private static final String[] NAMES = {"example.com.", "www.example.com.", "WwW.ExAmPlE.cOm.", "alias.example.com.",
        "chain.example.com.", "outside.example.com.", "dangling.example.com.", "mail.example.com.", "_sip._udp.example.com.",
        "sip.example.com.", "a.b.c.example.com.", "b.c.example.com.", "C.Example.Com.", "big.example.com.", "sub.example.com.",
        "host.sub.example.com.", "ns.sub.example.com.", "nope.example.com.", "deep.nope.example.com.", "ns1.example.com.",
        "www.example.org.", "org."};
    private static final int[] TYPES = {Type.A, Type.AAAA, Type.MX, Type.TXT, Type.NS, Type.SOA, Type.CNAME, Type.SRV,
        Type.CAA, Type.ANY, Type.DS, Type.PTR, 65000};

    private static Message query(String name, int type, int dclass) throws IOException {
        return Message.newQuery(Record.newRecord(Name.fromString(name), type, dclass));
    }

    private static byte[] withEdns(Message m, int payload, int version, int flags) {
        m.addRecord(new OPTRecord(payload, 0, version, flags), Section.ADDITIONAL);
        return m.toWire();
    }

    private static byte[] edns(String name, int type) throws IOException {
        return withEdns(query(name, type, DClass.IN), 1232, 0, 0);
    }

    static List<Case> corpus() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (String name : NAMES) {
            for (int type : TYPES) {
                cases.add(new Case(name + " " + Type.string(type), edns(name, type), false));
            }
        }
        cases.add(new Case("no EDNS, fits", query("www.example.com.", Type.A, DClass.IN).toWire(), false));
        cases.add(new Case("no EDNS, truncated", query("big.example.com.", Type.TXT, DClass.IN).toWire(), false));
        for (int size : new int[] {512, 1000, 1232, 4096}) {
            cases.add(new Case("EDNS " + size + " big TXT", withEdns(query("big.example.com.", Type.TXT, DClass.IN), size, 0, 0), false));
        }
        cases.add(new Case("EDNS below 512", withEdns(query("big.example.com.", Type.TXT, DClass.IN), 100, 0, 0), false));
        cases.add(new Case("DO bit", withEdns(query("www.example.com.", Type.A, DClass.IN), 1232, 0, ExtendedFlags.DO), false));
        cases.add(new Case("EDNS version 1", withEdns(query("www.example.com.", Type.A, DClass.IN), 1232, 1, 0), false));
        cases.add(new Case("TCP big TXT without EDNS", query("big.example.com.", Type.TXT, DClass.IN).toWire(), true));
        cases.add(new Case("TCP ANY at the apex", edns("example.com.", Type.ANY), true));
        cases.add(new Case("TCP A", edns("www.example.com.", Type.A), true));
        cases.add(new Case("TCP NXDOMAIN", edns("nope.example.com.", Type.A), true));
        for (String name : new String[] {"version.bind.", "id.server.", "hostname.bind.", "version.server."}) {
            cases.add(new Case("CHAOS " + name, withEdns(query(name, Type.TXT, DClass.CH), 1232, 0, 0), false));
        }
        cases.add(new Case("CHAOS in the zone", withEdns(query("example.com.", Type.SOA, DClass.CH), 1232, 0, 0), false));
        cases.add(new Case("class ANY", edns2("www.example.com.", Type.A, DClass.ANY), false));
        cases.add(new Case("class HS", edns2("www.example.com.", Type.A, DClass.HS), false));
        cases.add(new Case("AXFR over UDP", edns("example.com.", Type.AXFR), false));
        Message status = query("www.example.com.", Type.A, DClass.IN);
        status.getHeader().setOpcode(Opcode.STATUS);
        cases.add(new Case("STATUS opcode", status.toWire(), false));
        byte[] www = query("www.example.com.", Type.A, DClass.IN).toWire();
        cases.add(new Case("no question", Arrays.copyOf(www, 12), false));
        byte[] noQuestion = Arrays.copyOf(www, 12);
        noQuestion[5] = 0;
        cases.add(new Case("qdcount 0", noQuestion, false));
        cases.add(new Case("question cut short", Arrays.copyOf(www, 20), false));
        byte[] two = twoQuestions();
        cases.add(new Case("two questions", two, false));
        byte[] response = www.clone();
        response[2] |= (byte) 0x80;
        cases.add(new Case("a response", response, false));
        cases.add(new Case("11 bytes", Arrays.copyOf(www, 11), false));
        Message twoOpt = query("www.example.com.", Type.A, DClass.IN);
        twoOpt.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        byte[] oneOpt = twoOpt.toWire();
        cases.add(new Case("two OPT records", twoOptRecords(oneOpt), false));
        byte[] trailing = Arrays.copyOf(www, www.length + 3);
        cases.add(new Case("trailing bytes", trailing, false));
        return cases;
    }

    private static byte[] edns2(String name, int type, int dclass) throws IOException {
        return withEdns(query(name, type, dclass), 1232, 0, 0);
    }

    private static byte[] twoQuestions() throws IOException {
        Message m = query("www.example.com.", Type.A, DClass.IN);
        m.addRecord(Record.newRecord(Name.fromString("mail.example.com."), Type.A, DClass.IN), Section.QUESTION);
        return m.toWire();
    }

    /** The query with its OPT record appended a second time (and ARCOUNT 2). */
    private static byte[] twoOptRecords(byte[] withOne) {
        int optLength = 11;
        byte[] out = Arrays.copyOf(withOne, withOne.length + optLength);
        System.arraycopy(withOne, withOne.length - optLength, out, withOne.length, optLength);
        out[11] = 2;
        return out;
    }

    // ---- comparing

    /** A reply as compared: header, question as sent, sorted sections, OPT; "(silence)" for none. */
    static String describe(byte[] wire) {
        if (wire == null) {
            return "(silence)";
        }
        Message m;
        try {
            m = new Message(wire);
        } catch (IOException e) {
            return "(unparseable: " + e.getMessage() + ")";
        }
        StringBuilder s = new StringBuilder();
        var h = m.getHeader();
        s.append(Opcode.string(h.getOpcode())).append(' ').append(Rcode.string(m.getRcode())).append(" flags:");
        for (int f : new int[] {Flags.QR, Flags.AA, Flags.TC, Flags.RD, Flags.RA, Flags.AD, Flags.CD}) {
            if (h.getFlag(f)) {
                s.append(' ').append(Flags.string(f));
            }
        }
        s.append("\nquestion: ").append(h.getCount(Section.QUESTION) == 0 ? "-" : m.getQuestion().toString());
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            List<String> records = m.getSection(section).stream().filter(r -> r.getType() != Type.OPT)
                    .map(r -> r.toString().toLowerCase(Locale.ROOT)).sorted().toList();
            s.append('\n').append(Section.string(section)).append(": ").append(records);
        }
        OPTRecord opt = m.getOPT();
        s.append("\nopt: ").append(opt == null ? "-" : "payload " + opt.getPayloadSize() + " version " + opt.getVersion()
                + " flags " + opt.getFlags() + " options " + opt.getOptions());
        return s.toString();
    }

    private static String ask(InetSocketAddress server, Case c) throws IOException {
        return describe(c.tcp() ? DnsClient.tcpOne(server, c.query()) : DnsClient.udp(server, c.query()));
    }

    @Test
    void everyQueryOfTheCorpusGetsTheReplyKnotGives() throws IOException {
        Map<String, String> mismatches = new LinkedHashMap<>();
        List<Case> corpus = corpus();
        for (Case c : corpus) {
            String expected = ask(knot.address(), c);
            String actual = ask(gatehouse.gslb().address(), c);
            if (!expected.equals(actual)) {
                mismatches.put(c.label(), "knot:\n" + expected + "\ngatehouse:\n" + actual);
            }
        }
        assertThat(mismatches).as("%d of %d cases differ", mismatches.size(), corpus.size()).isEmpty();
        assertThat(corpus).hasSizeGreaterThan(300);
    }

    @Test
    void documentedDifferences() throws IOException {
        for (int opcode : new int[] {Opcode.NOTIFY, Opcode.UPDATE}) {
            Message m = query("example.com.", Type.SOA, DClass.IN);
            m.getHeader().setOpcode(opcode);
            String label = Opcode.string(opcode) + " opcode";
            assertThat(describe(DnsClient.udp(knot.address(), m.toWire()))).as(label).contains("NOTAUTH");
            assertThat(describe(DnsClient.udp(gatehouse.gslb().address(), m.toWire()))).as(label + ": " + DIFFERENCES.get(label))
                    .startsWith(Opcode.string(opcode) + " NOTIMP flags: qr");
        }
        byte[] axfr = query("example.com.", Type.AXFR, DClass.IN).toWire();
        assertThat(describe(DnsClient.tcpOne(knot.address(), axfr))).contains("NOTAUTH");
        assertThat(describe(DnsClient.tcpOne(gatehouse.gslb().address(), axfr))).startsWith("QUERY REFUSED flags: qr");
    }
}
