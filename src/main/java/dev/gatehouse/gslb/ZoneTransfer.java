package dev.gatehouse.gslb;

import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * The messages of an AXFR (RFC 5936): the SOA, every record, the SOA again, in as few messages as fit. Dynamic
 * records go as their current answer ({@link Candidates#current}), so a standard secondary answers what this server
 * would, minus the per-query choice of the weighted and geo policies.
 */
final class ZoneTransfer {

    /** Records per message: small zones go in one; each message stays far below 64 KiB. */
    private static final int PER_MESSAGE = 200;

    private ZoneTransfer() {}

    static List<Message> messages(ZoneSnapshot zone, int id, Record question) {
        List<Record> records = new ArrayList<>();
        records.add(zone.soa());
        records.addAll(zone.records());
        records.add(zone.soa());
        List<Message> out = new ArrayList<>();
        for (int from = 0; from < records.size(); from += PER_MESSAGE) {
            Message m = new Message(id);
            m.getHeader().setFlag(Flags.QR);
            m.getHeader().setFlag(Flags.AA);
            if (from == 0) {
                m.addRecord(question, Section.QUESTION);
            }
            for (Record r : records.subList(from, Math.min(records.size(), from + PER_MESSAGE))) {
                m.addRecord(r, Section.ANSWER);
            }
            out.add(m);
        }
        return out;
    }
}
