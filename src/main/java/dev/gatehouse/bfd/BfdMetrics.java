package dev.gatehouse.bfd;

import dev.gatehouse.time.LogGate;
import dev.gatehouse.time.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The counters of every session, and the rate-limited log of dropped packets (one line per reason per 10 s). */
final class BfdMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(Bfd.class);

    private final Map<Drop, Counter> dropped = new EnumMap<>(Drop.class);
    private final Map<SessionState, Counter> changes = new EnumMap<>(SessionState.class);
    private final Map<Drop, LogGate> dropLogs = new EnumMap<>(Drop.class);
    final Counter sent;
    final Counter received;
    final AtomicInteger up = new AtomicInteger();

    BfdMetrics(MeterRegistry registry, Ticker ticker) {
        for (Drop reason : Drop.values()) {
            dropLogs.put(reason, new LogGate(ticker, Duration.ofSeconds(10)));
            dropped.put(reason, Counter.builder("gatehouse.bfd.packets.dropped").tag("reason", reason.tag())
                    .description("BFD packets discarded by the reception checks of RFC 5880 6.8.6").register(registry));
        }
        for (SessionState state : SessionState.values()) {
            changes.put(state, Counter.builder("gatehouse.bfd.state.changes").tag("to", state.name().toLowerCase(Locale.ROOT))
                    .description("BFD session state changes, by the state entered").register(registry));
        }
        sent = Counter.builder("gatehouse.bfd.packets.sent").register(registry);
        received = Counter.builder("gatehouse.bfd.packets.received").description("accepted by a session")
                .register(registry);
        registry.gauge("gatehouse.bfd.sessions.up", up);
    }

    /** Counts a dropped packet; logs it unless the same reason was logged less than 10 s ago. */
    void dropped(Drop reason, Object from) {
        dropped.get(reason).increment();
        if (dropLogs.get(reason).pass() >= 0) {
            LOG.warn("bfd: dropped a packet from {}: {} ({} so far; at most one such line per 10 s)", from,
                    reason.tag(), (long) dropped.get(reason).count());
        }
    }

    void stateChanged(StateChange change) {
        changes.get(change.to()).increment();
        if (change.to() == SessionState.UP) {
            up.incrementAndGet();
        } else if (change.from() == SessionState.UP) {
            up.decrementAndGet();
        }
    }
}
