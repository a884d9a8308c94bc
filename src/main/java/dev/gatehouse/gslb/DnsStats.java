package dev.gatehouse.gslb;

import dev.gatehouse.time.LogGate;
import dev.gatehouse.time.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The DNS server's counters: queries by type and rcode, answers per target, dropped and truncated messages,
 * transfers. Counters are created once per label set and cached by slot, so counting a query allocates nothing.
 */
final class DnsStats {

    private static final Logger LOG = LoggerFactory.getLogger(DnsStats.class);
    /** Types that get their own label; the rest count as "other" so random input cannot grow the label set. */
    private static final int[] NAMED_TYPES = {Type.A, Type.AAAA, Type.CNAME, Type.TXT, Type.MX, Type.SRV, Type.CAA, Type.NS,
        Type.SOA, Type.ANY, Type.AXFR, Type.IXFR, Type.PTR, Type.DS, Type.DNSKEY, Type.HTTPS, Type.SVCB};
    /** Slots per type: every rcode this server answers with is below (BADVERS, 16, is the highest). */
    private static final int RCODES = 32;

    private final MeterRegistry registry;
    /**
     * By type (its index in NAMED_TYPES after "other") and rcode; filled on first use (a racing second registration
     * gets the same counter from the registry).
     */
    private final AtomicReferenceArray<Counter> queries = new AtomicReferenceArray<>((NAMED_TYPES.length + 1) * RCODES);
    private final ConcurrentMap<String, Counter> dropped = new ConcurrentHashMap<>();
    private final ConcurrentMap<Integer, Counter> perTarget = new ConcurrentHashMap<>();
    private final Counter truncated;
    private final Counter transfers;
    private final Counter transfersRefused;
    private final LogGate badMessageLog = new LogGate(Ticker.system(), Duration.ofSeconds(10));

    DnsStats(MeterRegistry registry) {
        this.registry = registry;
        this.truncated = Counter.builder("gatehouse_gslb_truncated").description("UDP replies sent truncated (TC) for not fitting")
                .register(registry);
        this.transfers = Counter.builder("gatehouse_gslb_transfers").description("Zone transfers sent").register(registry);
        this.transfersRefused = Counter.builder("gatehouse_gslb_transfers_refused")
                .description("Zone transfers refused (not from a configured secondary)").register(registry);
    }

    /** A reply sent to a query of {@code qtype} (-1: unknown) with {@code rcode}. */
    void answered(int qtype, int rcode) {
        int named = named(qtype);
        int slot = (named + 1) * RCODES + rcode;
        Counter c = queries.get(slot);
        if (c == null) {
            c = Counter.builder("gatehouse_gslb_queries")
                    .description("DNS queries answered, by query type and response code")
                    .tags("type", named < 0 ? "other" : Type.string(qtype), "rcode", Rcode.string(rcode).toLowerCase(Locale.ROOT))
                    .register(registry);
            queries.set(slot, c);
        }
        c.increment();
    }

    /** The index of {@code qtype} in {@link #NAMED_TYPES}; -1 for "other". */
    private static int named(int qtype) {
        for (int i = 0; i < NAMED_TYPES.length; i++) {
            if (NAMED_TYPES[i] == qtype) {
                return i;
            }
        }
        return -1;
    }

    /** Answers of a dynamic record: the records {@code answer} got from {@code before} on, counted per target. */
    void answered(DynamicRecord record, List<Record> answer, int before) {
        for (int i = before; i < answer.size(); i++) {
            Record r = answer.get(i);
            for (DynamicRecord.Answer a : record.targets()) {
                if (a.record() == r) {
                    target(record, a).increment();
                }
            }
        }
    }

    private Counter target(DynamicRecord record, DynamicRecord.Answer a) {
        Counter c = perTarget.get(a.target());
        if (c == null) {
            c = perTarget.computeIfAbsent(a.target(), k -> Counter.builder("gatehouse_gslb_answers")
                    .description("Times a target was in a dynamic record's answer")
                    .tags("record", record.name().toString(), "target", a.config().address())
                    .register(registry));
        }
        return c;
    }

    /** A message dropped or answered FORMERR: {@code reason} short, response or malformed. */
    void dropped(String reason) {
        Counter c = dropped.get(reason);
        if (c == null) {
            c = dropped.computeIfAbsent(reason, r -> Counter.builder("gatehouse_gslb_bad_messages")
                    .description("DNS messages that were not valid queries (short and response: dropped; malformed: FORMERR)")
                    .tags("reason", r).register(registry));
        }
        c.increment();
        long held = badMessageLog.pass();
        if (held >= 0) {
            LOG.info("gslb: bad DNS message ({}; {} more since the last line); counted in gatehouse_gslb_bad_messages,"
                    + " logged at most every 10 s", reason, held);
        }
    }

    void truncated() {
        truncated.increment();
    }

    void transferred() {
        transfers.increment();
    }

    void transferRefused() {
        transfersRefused.increment();
    }
}
