package dev.gatehouse.gslb;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns one DNS message into its reply, as the RFCs ask of an authoritative server: a response or a message too
 * short to have a header is dropped; one that does not parse, or asks more or less than one question, gets
 * FORMERR; opcodes but QUERY get NOTIMP; EDNS versions above 0 get BADVERS (RFC 6891); names outside the zone and
 * classes but IN (and ANY, read as IN) get REFUSED; transfers go over TCP to the configured secondaries only.
 * A UDP reply larger than the client's EDNS size (512 bytes without EDNS) goes out as the question alone with TC
 * set, so the client retries over TCP.
 */
final class Responder {

    /** The EDNS UDP payload size this server offers and honours at most (the DNS flag day 2020 figure). */
    static final int MAX_UDP_PAYLOAD = 1232;
    private static final int PLAIN_UDP = 512;
    private static final int TCP_MAX = 65535;
    private static final int QR = 0x8000;
    /** The extended error of a REFUSED name outside the zone (RFC 8914); only ever written, so one serves every reply. */
    private static final EDNSOption NOT_AUTHORITATIVE = new ExtendedErrorCodeOption(ExtendedErrorCodeOption.NOT_AUTHORITATIVE);

    private final Supplier<ZoneSnapshot> current;
    private final Predicate<InetAddress> mayTransfer;
    private final DnsStats stats;
    /** Told of each transfer sent: to whom, and of which serial. */
    private final BiConsumer<InetAddress, Long> transferred;

    Responder(Supplier<ZoneSnapshot> current, Predicate<InetAddress> mayTransfer, DnsStats stats,
            BiConsumer<InetAddress, Long> transferred) {
        this.current = current;
        this.mayTransfer = mayTransfer;
        this.stats = stats;
        this.transferred = transferred;
    }

    /** Hands {@code out} the reply to {@code query} from {@code source}: none (dropped), one, or several (a transfer). */
    void respond(ByteBuffer query, InetAddress source, boolean tcp, Consumer<byte[]> out) {
        if (query.remaining() < Wire.HEADER) {
            stats.dropped("short");
            return;
        }
        if ((query.getShort(query.position() + 2) & QR) != 0) {
            stats.dropped("response");
            return;
        }
        int questions = Wire.count(query, 0);
        if (questions == 0) {
            stats.dropped("malformed");
            out.accept(formErr(query, 0));
            return;
        }
        int questionEnd = questions == 1 ? Wire.questionEnd(query) : -1;
        if (questionEnd < 0) {
            stats.dropped("unreadable"); // no question to answer: dropped
            return;
        }
        Message m = Wire.recordsFill(query, questionEnd) ? parse(query) : null;
        if (m == null) {
            stats.dropped("malformed");
            out.accept(formErr(query, questionEnd));
            return;
        }
        Header h = m.getHeader();
        Record question = m.getQuestion();
        OPTRecord opt = m.getOPT();
        int qtype = question.getType();
        if (h.getOpcode() != Opcode.QUERY) {
            out.accept(finish(reply(m, Rcode.NOTIMP, null), qtype, tcp, opt));
            return;
        }
        if (optCount(m) > 1) {
            stats.dropped("malformed");
            out.accept(formErr(query, questionEnd));
            return;
        }
        if (opt != null && opt.getVersion() > 0) {
            out.accept(finish(reply(m, Rcode.BADVERS, null), qtype, tcp, opt));
            return;
        }
        ZoneSnapshot zone = current.get();
        Name qname = question.getName();
        int qclass = question.getDClass();
        boolean inClass = qclass == DClass.IN || qclass == DClass.ANY;
        if (!inClass || !qname.subdomain(zone.zone().apex())) {
            out.accept(finish(reply(m, Rcode.REFUSED, inClass ? NOT_AUTHORITATIVE : null), qtype, tcp, opt));
            return;
        }
        if (qtype == Type.AXFR || qtype == Type.IXFR) {
            transfer(m, zone, source, tcp, out);
            return;
        }
        ClientSubnetOption ecs = clientSubnet(opt);
        byte[] client = ecs != null ? (ecs.getSourcePrefixLength() == 0 ? null : ecs.getAddress().getAddress())
                : source.getAddress();
        Lookup l = new Lookup(zone, stats).run(qname, qtype, client);
        EDNSOption answeredEcs = ecs == null ? null
                : new ClientSubnetOption(ecs.getSourcePrefixLength(), Math.min(l.scope, ecs.getAddress().getAddress().length * 8),
                        ecs.getAddress());
        Message r = reply(m, l.rcode, answeredEcs);
        if (l.authoritative) {
            r.getHeader().setFlag(Flags.AA);
        }
        l.answer.forEach(rec -> r.addRecord(rec, Section.ANSWER));
        l.authority.forEach(rec -> r.addRecord(rec, Section.AUTHORITY));
        l.additional.forEach(rec -> r.addRecord(rec, Section.ADDITIONAL));
        out.accept(finish(r, qtype, tcp, opt));
    }

    /** The reply's wire form, or, over UDP when it does not fit, the same header and question with TC set. */
    private byte[] finish(Message r, int qtype, boolean tcp, OPTRecord opt) {
        stats.answered(qtype, r.getRcode());
        if (tcp) {
            return r.toWire(TCP_MAX);
        }
        int limit = opt == null ? PLAIN_UDP : Math.max(PLAIN_UDP, Math.min(opt.getPayloadSize(), MAX_UDP_PAYLOAD));
        byte[] wire = r.toWire();
        if (wire.length <= limit) {
            return wire;
        }
        stats.truncated();
        r.removeAllRecords(Section.ANSWER);
        r.removeAllRecords(Section.AUTHORITY);
        OPTRecord own = r.getOPT();
        r.removeAllRecords(Section.ADDITIONAL);
        if (own != null) {
            r.addRecord(own, Section.ADDITIONAL);
        }
        r.getHeader().setFlag(Flags.TC);
        return r.toWire();
    }

    /**
     * A reply to {@code query} with its id, opcode, RD and CD flags and question, and when the query had EDNS our OPT
     * record (the DO bit echoed, RFC 3225) with {@code option} when not null.
     */
    private static Message reply(Message query, int rcode, EDNSOption option) {
        Header qh = query.getHeader();
        Message r = new Message(qh.getID());
        Header h = r.getHeader();
        h.setFlag(Flags.QR);
        h.setOpcode(qh.getOpcode());
        if (qh.getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        if (qh.getFlag(Flags.CD)) {
            h.setFlag(Flags.CD);
        }
        h.setRcode(rcode & 0xF);
        Record question = query.getQuestion();
        if (question != null) {
            r.addRecord(question, Section.QUESTION);
        }
        OPTRecord opt = query.getOPT();
        if (opt != null) {
            int flags = opt.getFlags() & ExtendedFlags.DO;
            r.addRecord(option == null ? new OPTRecord(MAX_UDP_PAYLOAD, rcode >>> 4, 0, flags)
                    : new OPTRecord(MAX_UDP_PAYLOAD, rcode >>> 4, 0, flags, option), Section.ADDITIONAL);
        }
        return r;
    }

    private static Message parse(ByteBuffer query) {
        try {
            return new Message(query.duplicate());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * FORMERR for a malformed query: its id, opcode and RD, and its question copied as sent ({@code questionEnd} 0:
     * none); no OPT, as the query's cannot be trusted.
     */
    private byte[] formErr(ByteBuffer query, int questionEnd) {
        int p = query.position();
        int flags = query.getShort(p + 2) & 0x7900; // opcode and RD
        stats.answered(-1, Rcode.FORMERR);
        byte[] reply = new byte[Math.max(Wire.HEADER, questionEnd)];
        query.duplicate().get(reply, 0, reply.length);
        reply[2] = (byte) ((flags | QR) >>> 8);
        reply[3] = (byte) Rcode.FORMERR;
        reply[4] = 0;
        reply[5] = (byte) (questionEnd > 0 ? 1 : 0);
        java.util.Arrays.fill(reply, 6, Wire.HEADER, (byte) 0);
        return reply;
    }

    private static int optCount(Message m) {
        int n = 0;
        for (Record r : m.getSection(Section.ADDITIONAL)) {
            if (r.getType() == Type.OPT) {
                n++;
            }
        }
        return n;
    }

    private static ClientSubnetOption clientSubnet(OPTRecord opt) {
        if (opt == null) {
            return null;
        }
        List<EDNSOption> options = opt.getOptions(EDNSOption.Code.CLIENT_SUBNET);
        return options.isEmpty() ? null : (ClientSubnetOption) options.getFirst();
    }

    /** AXFR (and IXFR, answered with the whole zone, RFC 1995 §4) over TCP to a configured secondary. */
    private void transfer(Message m, ZoneSnapshot zone, InetAddress source, boolean tcp, Consumer<byte[]> out) {
        int qtype = m.getQuestion().getType();
        if (!tcp) {
            out.accept(finish(reply(m, Rcode.NOTIMP, null), qtype, false, m.getOPT()));
            return;
        }
        if (!mayTransfer.test(source)) {
            stats.transferRefused();
            out.accept(finish(reply(m, Rcode.REFUSED, null), qtype, true, m.getOPT()));
            return;
        }
        for (Message part : ZoneTransfer.messages(zone, m.getHeader().getID(), m.getQuestion())) {
            out.accept(part.toWire(TCP_MAX));
        }
        stats.answered(qtype, Rcode.NOERROR);
        stats.transferred();
        transferred.accept(source, zone.serial());
    }
}
