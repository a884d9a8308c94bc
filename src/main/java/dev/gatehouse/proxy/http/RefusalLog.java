package dev.gatehouse.proxy.http;

import dev.gatehouse.metrics.ListenerStats;
import dev.gatehouse.proxy.http.codec.Refusal;
import dev.gatehouse.time.LogGate;
import dev.gatehouse.time.Ticker;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests one HTTP listener refused: each counted by reason, and logged at most once a second, the line
 * telling how many were refused without a line since the last one. A flood of hostile requests thus costs one
 * counter increment each and no log I/O; a single one is still seen.
 */
final class RefusalLog {

    private static final Logger LOG = LoggerFactory.getLogger(RefusalLog.class);

    private final String listener;
    private final ListenerStats stats;
    private final LogGate gate;

    RefusalLog(String listener, ListenerStats stats, Ticker ticker) {
        this.listener = listener;
        this.stats = stats;
        this.gate = new LogGate(ticker, Duration.ofSeconds(1));
    }

    /** Counts a refusal and logs it unless a line was written less than a second ago. */
    void refused(Refusal why, String detail, String clientIp) {
        refused(why.status() + " " + why.label(), why.label(), detail, clientIp);
    }

    /** Counts and logs an HTTP/2 stream reset or connection ended for what its client sent. */
    void refusedHttp2(String label, String detail) {
        refused(label, label, detail, "an HTTP/2 client");
    }

    private void refused(String answer, String label, String detail, String client) {
        stats.refusedRequest(label);
        long more = gate.pass();
        if (more < 0) {
            return;
        }
        if (more == 0) {
            LOG.warn("listener {} refused a request from {}: {} ({})", listener, client, answer, detail);
        } else {
            LOG.warn("listener {} refused a request from {}: {} ({}); {} more refused since the last line",
                    listener, client, answer, detail, more);
        }
    }
}
