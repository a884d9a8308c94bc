package dev.gatehouse.gslb;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The DNS server's counters: queries by type and rcode, answers per target, dropped and truncated messages,
 * transfers. Counters are created once per label set and cached, so counting a query builds no key but an int.
 */
final class DnsStats {

    private static final Logger LOG = LoggerFactory.getLogger(DnsStats.class);
    /** Types that get their own label; the rest count as "other" so random input cannot grow the label set. */
    private static final Set<Integer> NAMED_TYPES = Set.of(Type.A, Type.AAAA, Type.CNAME, Type.TXT, Type.MX, Type.SRV,
            Type.CAA, Type.NS, Type.SOA, Type.ANY, Type.AXFR, Type.IXFR, Type.PTR, Type.DS, Type.DNSKEY, Type.HTTPS, Type.SVCB);
    /** At most one log line about dropped input per this many nanoseconds. */
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;

    private final MeterRegistry registry;
    private final ConcurrentMap<Integer, Counter> queries = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> dropped = new ConcurrentHashMap<>();
    private final ConcurrentMap<Integer, Counter> perTarget = new ConcurrentHashMap<>();
    private final Counter truncated;
    private final Counter transfers;
    private final Counter transfersRefused;
    private volatile long lastLog = Long.MIN_VALUE;

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
        int type = NAMED_TYPES.contains(qtype) ? qtype : -1;
        int key = (type + 1) * 64 + rcode;
        Counter c = queries.get(key);
        if (c == null) {
            c = queries.computeIfAbsent(key, k -> Counter.builder("gatehouse_gslb_queries")
                    .description("DNS queries answered, by query type and response code")
                    .tags("type", type < 0 ? "other" : Type.string(type), "rcode", Rcode.string(rcode).toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        c.increment();
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
        long now = System.nanoTime();
        long last = lastLog;
        if (now - last > LOG_EVERY_NANOS || last == Long.MIN_VALUE) {
            lastLog = now;
            LOG.info("gslb: bad DNS message ({}); counted in gatehouse_gslb_bad_messages, logged at most every 10 s", reason);
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
