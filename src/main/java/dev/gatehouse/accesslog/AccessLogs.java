package dev.gatehouse.accesslog;

import dev.gatehouse.config.AccessLogConfig;
import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.time.WallClock;
import java.io.IOException;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access logs of a node, one {@link AccessLog} per listener name. A log outlives its listener being rebound by a
 * reload (listeners hold the handle; the writer inside is what a reload changes). {@link #reopen} is what SIGUSR1
 * calls, after logrotate has moved the files.
 */
public final class AccessLogs implements AutoCloseable {

    /** Opens where an access log's lines go; tests pass their own. */
    @FunctionalInterface
    public interface Sinks {
        Sink open(AccessLogConfig config) throws IOException;
    }

    /** Entries a log's queue holds before it drops: about 2 MB of entries, a second of 30k req/s bursting. */
    public static final int DEFAULT_CAPACITY = 16_384;
    private static final Logger LOG = LoggerFactory.getLogger(AccessLogs.class);

    private final Metrics metrics;
    private final WallClock clock;
    private final Sinks sinks;
    private final int capacity;
    private final ConcurrentMap<String, AccessLog> logs = new ConcurrentHashMap<>();

    public AccessLogs(Metrics metrics, WallClock clock) {
        this(metrics, clock, config -> new FileSink(config.file()), DEFAULT_CAPACITY);
    }

    public AccessLogs(Metrics metrics, WallClock clock, Sinks sinks, int capacity) {
        this.metrics = metrics;
        this.clock = clock;
        this.sinks = sinks;
        this.capacity = capacity;
    }

    /** The log of {@code listener}, created (off) on first use, with its dropped-lines counter. */
    public AccessLog of(String listener) {
        return logs.computeIfAbsent(listener, name -> {
            AccessLog log = new AccessLog(name, clock);
            metrics.counter("gatehouse_access_log_dropped", "Access-log lines dropped because the writer's queue was full",
                    log::dropped, "listener", name);
            return log;
        });
    }

    /**
     * Gives each listener of {@code listeners} the access log its config asks for: a changed one gets a new writer
     * (the old one closes once its queue is written), an unchanged one keeps its writer; listeners no longer
     * configured, or without {@code access_log:}, log nothing. A file that cannot be opened is logged and leaves
     * that listener's log as it was.
     */
    public synchronized void configure(Collection<ListenerConfig> listeners) {
        for (AccessLog log : logs.values()) {
            if (listeners.stream().noneMatch(l -> l.name().equals(log.listener()))) {
                log.swap(null);
            }
        }
        for (ListenerConfig l : listeners) {
            AccessLog log = of(l.name());
            LogWriter current = log.writer();
            AccessLogConfig wanted = l.accessLog();
            if (Objects.equals(current == null ? null : current.config, wanted)) {
                continue;
            }
            if (wanted == null) {
                log.swap(null);
                continue;
            }
            try {
                log.swap(new LogWriter(l.name(), wanted, sinks.open(wanted), capacity));
            } catch (IOException | RuntimeException e) {
                LOG.error("listener {}: cannot open its access log {}: {}", l.name(),
                        wanted.file() == null ? "stdout" : wanted.file(), e.toString());
            }
        }
    }

    /** Reopens every log file at its path (SIGUSR1, after logrotate moved the files). */
    public void reopen() {
        for (AccessLog log : logs.values()) {
            LogWriter w = log.writer();
            if (w != null) {
                w.reopen();
            }
        }
    }

    /** Writes what is queued and closes every log, waiting up to {@code millis} for each. */
    public synchronized void close(long millis) throws InterruptedException {
        for (AccessLog log : logs.values()) {
            LogWriter w = log.writer();
            log.swap(null);
            if (w != null) {
                w.awaitClosed(millis);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        close(1000);
    }
}
