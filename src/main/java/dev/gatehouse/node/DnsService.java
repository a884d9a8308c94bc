package dev.gatehouse.node;

import dev.gatehouse.config.GslbConfig;
import dev.gatehouse.gslb.Gslb;
import dev.gatehouse.gslb.GslbStatus;
import dev.gatehouse.proxy.Transport;
import dev.gatehouse.time.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * The GSLB DNS server a process runs while its config has {@code gslb:}: started with it, replaced whole when a
 * reload changes that section, kept as it runs when the section is unchanged, stopped when it goes.
 */
final class DnsService implements AutoCloseable {

    private final String node;
    private final Transport transport;
    private final MeterRegistry registry;
    private final Gslb.EventSink events;
    private final Ticker ticker;
    private volatile Gslb running;

    DnsService(String node, Transport transport, MeterRegistry registry, Gslb.EventSink events, Ticker ticker) {
        this.node = node;
        this.transport = transport;
        this.registry = registry;
        this.events = events;
        this.ticker = ticker;
    }

    /** Starts, replaces or stops the server as {@code next} (null: none) says. */
    void apply(GslbConfig next) throws Exception {
        Gslb current = running;
        if (current != null && current.config().equals(next)) {
            return;
        }
        if (current != null) {
            current.close();
            running = null;
        }
        if (next != null) {
            running = Gslb.start(next, node, transport, registry, events, ticker);
        }
    }

    boolean runs() {
        return running != null;
    }

    /** Where the server listens, or null when none runs. */
    InetSocketAddress address() {
        Gslb g = running;
        return g == null ? null : g.address();
    }

    /** Its zone, targets and serial for the status API, or null when none runs. */
    GslbStatus status() {
        Gslb g = running;
        return g == null ? null : g.status();
    }

    /** This server's own check verdicts, for its peers; null when none runs. */
    Map<String, Object> ownVerdicts() {
        Gslb g = running;
        return g == null ? null : g.ownVerdicts();
    }

    @Override
    public void close() {
        Gslb g = running;
        if (g != null) {
            g.close();
        }
    }
}
