package dev.gatehouse.tls;

import dev.gatehouse.time.WallClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.netty.handler.ssl.SslContext;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates of every TLS listener of a node. A config change stages new contexts before anything switches
 * (a bad certificate refuses the whole change); the certificate and key files are also polled every
 * {@link #POLL} by content hash, and a changed file is read, checked and swapped in for new handshakes, or refused
 * with the previous certificates serving on. Session-ticket keys are rotated every {@link TicketKeys#ROTATION}, by
 * this node alone or, in a cluster, through {@link #ticketKeyChannel}.
 */
public final class TlsService {

    private static final Logger LOG = LoggerFactory.getLogger(TlsService.class);
    static final Duration POLL = Duration.ofSeconds(5);
    static final Duration EXPIRING_SOON = Duration.ofDays(14);

    private final MeterRegistry registry;
    private final BiConsumer<String, String> events;
    private final Clock clock;
    private final ConcurrentMap<String, ListenerTls> listeners = new ConcurrentHashMap<>();
    /** Made with the first TLS context: a node with no TLS listener generates no keys and rotates nothing. */
    private TicketKeys tickets;
    /** The cluster's ticket keys, newest first (empty: none, or not in a cluster). */
    private volatile List<byte[]> sharedKeys = List.of();
    private volatile ScheduledExecutorService control;
    private final MultiGauge expiry;
    /** Per listener, the hash of files already refused, so a bad file is reported once and not retried every poll. */
    private final Map<String, String> refused = new ConcurrentHashMap<>();
    private TlsProvider provider;

    /** @param events told (subject, detail) of every certificate reload, taken or refused */
    public TlsService(MeterRegistry registry, BiConsumer<String, String> events, Clock clock) {
        this.registry = registry;
        this.events = events;
        this.clock = clock;
        this.expiry = MultiGauge.builder("gatehouse_tls_certificate_expiry_seconds")
                .description("Seconds until a listener's certificate expires (negative: expired)").register(registry);
    }

    /** Polls the files and rotates the ticket keys on {@code control}. */
    public void start(ScheduledExecutorService control) {
        this.control = control;
        if (!sharedKeys.isEmpty()) {
            control.execute(this::applySharedKeys);
        }
        control.scheduleWithFixedDelay(this::reloadFiles, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        long rotation = TicketKeys.ROTATION.toMillis();
        control.scheduleAtFixedRate(this::rotateTicketKeys, rotation, rotation, TimeUnit.MILLISECONDS);
    }

    /** The TLS side of listener {@code name}, the same object for the listener's whole life. */
    public ListenerTls listener(String name) {
        return listeners.computeIfAbsent(name, n -> new ListenerTls(n, registry));
    }

    private synchronized TlsProvider detected() {
        return provider;
    }

    /** The provider in use; detected (and logged) on first use. */
    public synchronized TlsProvider provider() {
        if (provider == null) {
            provider = TlsProvider.detect();
        }
        return provider;
    }

    /**
     * Builds what {@code next} (listener name to its settings, null for a listener without TLS) needs that is not
     * running already. Nothing changes until the returned action runs.
     *
     * @throws IllegalArgumentException naming every listener and file that cannot be served
     */
    public synchronized Staged stage(Map<String, TlsSettings> next) {
        Map<ListenerTls, ListenerTls.Built> built = new ConcurrentHashMap<>();
        List<String> errors = new ArrayList<>();
        next.forEach((name, settings) -> {
            if (settings == null) {
                return;
            }
            ListenerTls tls = listener(name);
            ListenerTls.Built now = tls.current();
            String hash = fileHash(settings);
            if (now != null && now.settings().equals(settings) && now.fileHash().equals(hash)) {
                built.put(tls, now);
                return;
            }
            try {
                built.put(tls, build(name, settings, hash));
            } catch (IllegalArgumentException e) {
                errors.add("listener " + name + ": " + e.getMessage());
            }
        });
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        // A listener bound by this change accepts before the change commits: it must not answer in cleartext.
        built.forEach(ListenerTls::pending);
        return new Staged(next, built);
    }

    /** Contexts built for a config change: {@link #commit} when its listeners are bound, else {@link #abort}. */
    public final class Staged {

        private final Map<String, TlsSettings> next;
        private final Map<ListenerTls, ListenerTls.Built> built;

        private Staged(Map<String, TlsSettings> next, Map<ListenerTls, ListenerTls.Built> built) {
            this.next = next;
            this.built = built;
        }

        /** New connections get the new certificates (and a listener that lost {@code tls:} serves cleartext). */
        public void commit() {
            synchronized (TlsService.this) {
                for (ListenerTls tls : listeners.values()) {
                    tls.current(next.containsKey(tls.name()) ? built.get(tls) : null);
                    tls.pending(null);
                    refused.remove(tls.name());
                }
                publishExpiry();
            }
        }

        public void abort() {
            synchronized (TlsService.this) {
                built.keySet().forEach(tls -> tls.pending(null));
            }
        }
    }

    /**
     * Re-reads the files of every TLS listener whose files changed since they were read, and serves the new
     * certificates on new handshakes; a listener whose new files are bad keeps its certificates.
     *
     * @return one line per listener whose new files were refused (empty: everything current)
     */
    public synchronized List<String> reloadFiles() {
        List<String> errors = new ArrayList<>();
        boolean rebuilt = false;
        for (ListenerTls tls : listeners.values()) {
            ListenerTls.Built now = tls.current();
            if (now == null) {
                continue;
            }
            String hash = fileHash(now.settings());
            if (hash.equals(now.fileHash())) {
                continue;
            }
            try {
                tls.current(build(tls.name(), now.settings(), hash));
                rebuilt = true;
                refused.remove(tls.name());
                events.accept("listener " + tls.name(), "certificates reloaded: " + names(tls.current()));
                LOG.info("listener {}: certificates reloaded from changed files: {}", tls.name(), names(tls.current()));
            } catch (IllegalArgumentException e) {
                String why = "new certificates refused, the previous ones keep serving: " + e.getMessage();
                errors.add("listener " + tls.name() + ": " + why);
                if (!hash.equals(refused.put(tls.name(), hash))) {
                    events.accept("listener " + tls.name(), why);
                    LOG.error("listener {}: {}", tls.name(), why);
                }
            }
        }
        if (rebuilt) {
            publishExpiry(); // the gauges read the time at scrape: unchanged certificates need no new rows
        }
        return errors;
    }

    /** Every certificate served, and those expiring within 14 days. */
    public TlsStatus status() {
        List<TlsStatus.Certificate> all = new ArrayList<>();
        for (ListenerTls tls : listeners.values()) {
            ListenerTls.Built b = tls.current();
            if (b == null) {
                continue;
            }
            for (SniContexts.Entry e : b.contexts().entries()) {
                CertifiedKey c = e.certified();
                all.add(new TlsStatus.Certificate(tls.name(), c.label(), c.names(), c.notAfter().toString(), secondsLeft(c)));
            }
        }
        List<TlsStatus.Certificate> soon = all.stream()
                .filter(c -> c.expiresInSeconds() < EXPIRING_SOON.toSeconds()).toList();
        // the provider once TLS is in use: a status read must not load the native library into a node without TLS
        TlsProvider p = detected();
        return new TlsStatus(p == null ? "none loaded (no TLS in use)" : p.label(), all, soon, ticketKeys());
    }

    synchronized void rotateTicketKeys() {
        if (tickets == null || !sharedKeys.isEmpty()) {
            return; // the cluster rotates shared keys
        }
        tickets.rotate();
        applyTicketKeys();
        LOG.info("TLS session-ticket keys rotated");
    }

    /**
     * The channel that shares this node's session-ticket keys with the other members (register it with the cluster
     * member before it starts); a node keeps its own keys until the first shared one is committed.
     */
    public TicketKeyChannel ticketKeyChannel(WallClock clock) {
        return new TicketKeyChannel(this::servesTls, this::shareTicketKeys, clock);
    }

    private synchronized String ticketKeys() {
        return tickets == null ? "none (no TLS in use)" : tickets.describe();
    }

    private synchronized boolean servesTls() {
        return tickets != null;
    }

    /** Called on the cluster's apply thread: the contexts are updated on the control thread, never on that one. */
    private void shareTicketKeys(List<byte[]> newestFirst) {
        sharedKeys = newestFirst;
        ScheduledExecutorService c = control;
        if (c != null && !c.isShutdown()) {
            try {
                c.execute(this::applySharedKeys);
            } catch (RejectedExecutionException e) {
                LOG.debug("ticket keys not applied: the node is stopping");
            }
        }
    }

    private synchronized void applySharedKeys() {
        if (tickets != null && !sharedKeys.isEmpty()) {
            tickets.share(sharedKeys);
            applyTicketKeys();
            LOG.info("TLS session-ticket keys from the cluster: {}", sharedKeys.size());
        }
    }

    private void applyTicketKeys() {
        for (ListenerTls tls : listeners.values()) {
            ListenerTls.Built b = tls.current();
            if (b != null) {
                b.contexts().entries().forEach(e -> tickets.applyTo(e.context()));
            }
        }
    }

    private ListenerTls.Built build(String listener, TlsSettings settings, String hash) {
        TlsProvider p = provider();
        if (tickets == null) {
            tickets = new TicketKeys();
            tickets.share(sharedKeys);
        }
        List<SniContexts.Entry> entries = new ArrayList<>();
        for (TlsSettings.CertificatePair pair : settings.certificates()) {
            CertifiedKey certified = PemFiles.load(pair);
            String warning = certified.validityWarning(clock.instant());
            if (warning != null) {
                LOG.warn("listener {}: {} ({})", listener, warning, pair.cert());
            }
            SslContext context;
            try {
                context = ContextBuilder.server(certified, settings, p);
            } catch (SSLException | RuntimeException e) {
                throw new IllegalArgumentException(pair.cert() + ": " + p.label() + " refuses it: " + e.getMessage());
            }
            tickets.applyTo(context);
            entries.add(new SniContexts.Entry(certified, context));
        }
        return new ListenerTls.Built(settings, hash, new SniContexts(entries), TlsHandler.jdkGroups(p, settings.groups()));
    }

    private void publishExpiry() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (ListenerTls tls : listeners.values()) {
            ListenerTls.Built b = tls.current();
            if (b != null) {
                for (SniContexts.Entry e : b.contexts().entries()) {
                    CertifiedKey c = e.certified();
                    rows.add(MultiGauge.Row.of(Tags.of("listener", tls.name(), "name", c.label()), c, this::secondsLeft));
                }
            }
        }
        expiry.register(rows, true);
    }

    private long secondsLeft(CertifiedKey c) {
        return Duration.between(clock.instant(), c.notAfter()).toSeconds();
    }

    private static String names(ListenerTls.Built b) {
        return String.join(", ", b.contexts().entries().stream().map(e -> e.certified().label()).toList());
    }

    /** The hash of every certificate and key file of {@code settings}, and of its client CA file. */
    static String fileHash(TlsSettings settings) {
        java.util.stream.Stream<java.nio.file.Path> files = settings.certificates().stream()
                .flatMap(pair -> java.util.stream.Stream.of(pair.cert(), pair.key()));
        if (settings.clientAuth() != null) {
            files = java.util.stream.Stream.concat(files, java.util.stream.Stream.of(settings.clientAuth().ca()));
        }
        return FileHash.of(files.toArray(java.nio.file.Path[]::new));
    }
}
