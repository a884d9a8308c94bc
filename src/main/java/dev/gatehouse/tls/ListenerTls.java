package dev.gatehouse.tls;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.List;

/**
 * The TLS side of one listener, kept for the listener's life while its certificates change under it: each new
 * connection gets the handlers of the certificates current at its accept; established ones keep theirs.
 */
public final class ListenerTls {

    /** What a listener serves now: its settings, the hash of its files when they were read, and the contexts built. */
    record Built(TlsSettings settings, String fileHash, SniContexts contexts, String[] jdkGroups) {}

    private static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final MeterRegistry registry;
    /** Made when the listener first gets certificates: a listener without {@code tls:} has no handshake counters. */
    private volatile HandshakeWatch watch;
    private volatile Built current;
    /** Staged by a config change not yet committed; serves only while there is no current (a listener just bound). */
    private volatile Built pending;

    ListenerTls(String name, MeterRegistry registry) {
        this.name = name;
        this.registry = registry;
    }

    String name() {
        return name;
    }

    Built current() {
        return current;
    }

    void current(Built next) {
        watchFor(next);
        current = next;
    }

    void pending(Built staged) {
        watchFor(staged);
        pending = staged;
    }

    /** Called with the service's lock held, before {@code b} is published to the event loops. */
    private void watchFor(Built b) {
        if (b != null && watch == null) {
            watch = new HandshakeWatch(name, registry);
        }
    }

    /**
     * Puts the TLS handlers first in a just-accepted connection's pipeline (before the listener's own handler).
     *
     * @param handshakeTimeout how long the client has to complete its handshake; null for 10 s
     * @return the ALPN protocols the installed handlers offer (empty: no ALPN); null when the listener has no TLS now
     *     and nothing was added
     */
    public List<String> install(Channel ch, Duration handshakeTimeout) {
        Built b = current;
        if (b == null) {
            b = pending;
        }
        if (b == null) {
            return null;
        }
        long timeout = (handshakeTimeout == null ? DEFAULT_HANDSHAKE_TIMEOUT : handshakeTimeout).toMillis();
        ch.pipeline().addLast(new TlsHandler(b.contexts(), timeout, b.jdkGroups()), watch);
        return b.settings().alpn();
    }
}
