package dev.gatehouse.proxy.http;

import dev.gatehouse.metrics.ListenerStats;
import dev.gatehouse.proxy.http.codec.Refusal;
import dev.gatehouse.time.Ticker;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests one HTTP listener refused: each counted by reason, and logged at most once a second, the line
 * telling how many were refused without a line since the last one. A flood of hostile requests thus costs one
 * counter increment each and no log I/O; a single one is still seen.
 */
final class RefusalLog {

    private static final Logger LOG = LoggerFactory.getLogger(RefusalLog.class);
    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final String listener;
    private final ListenerStats stats;
    private final Ticker ticker;
    private final AtomicLong nextLine;
    private final LongAdder suppressed = new LongAdder();

    RefusalLog(String listener, ListenerStats stats, Ticker ticker) {
        this.listener = listener;
        this.stats = stats;
        this.ticker = ticker;
        this.nextLine = new AtomicLong(ticker.nanos());
    }

    /** Counts a refusal and logs it unless a line was written less than a second ago. */
    void refused(Refusal why, String detail, String clientIp) {
        stats.refusedRequest(why.label());
        long now = ticker.nanos();
        long next = nextLine.get();
        if (now - next < 0 || !nextLine.compareAndSet(next, now + INTERVAL_NANOS)) {
            suppressed.increment();
            return;
        }
        long more = suppressed.sumThenReset();
        if (more == 0) {
            LOG.warn("listener {} refused a request from {}: {} {} ({})", listener, clientIp, why.status(), why.label(), detail);
        } else {
            LOG.warn("listener {} refused a request from {}: {} {} ({}); {} more refused since the last line",
                    listener, clientIp, why.status(), why.label(), detail, more);
        }
    }
}
