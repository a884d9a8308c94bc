package dev.gatehouse.accesslog;

import dev.gatehouse.config.AccessLogConfig;
import dev.gatehouse.time.LogGate;
import dev.gatehouse.time.Ticker;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One access log's queue and the thread that empties it. Event loops {@link #offer} entries to a bounded lock-free
 * queue and never wait: when it is full the entry is refused (and the caller counts it dropped). The thread formats
 * and writes whatever is queued, flushes when the queue is empty, then naps briefly rather than being woken per
 * entry, which would cost the event loop a system call per request. After {@link #close} it writes what is still
 * queued, then closes the sink.
 */
final class LogWriter {

    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
    /** How long the thread naps when the queue is empty: how late a line may reach the file. */
    private static final long NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    final AccessLogConfig config;
    private final String listener;
    private final Queue<Entry> queue;
    private final Sink sink;
    private final LineFormat format;
    private final Thread thread;
    private volatile boolean reopen;
    private volatile boolean closing;
    private final LogGate errorLog = new LogGate(Ticker.system(), Duration.ofMinutes(1));
    private long failedLines;

    LogWriter(String listener, AccessLogConfig config, Sink sink, int capacity) {
        this.config = config;
        this.listener = listener;
        this.queue = PlatformDependent.newFixedMpscQueue(capacity);
        this.sink = sink;
        this.format = new LineFormat(config.format());
        this.thread = Thread.ofPlatform().daemon().name("access-log-" + listener).start(this::run);
    }

    /** Queues {@code e}; false, at once, when the queue is full. */
    boolean offer(Entry e) {
        return queue.offer(e);
    }

    /** Has the file reopened before the next line is written (the path's file is then the one written to). */
    void reopen() {
        reopen = true;
        LockSupport.unpark(thread);
    }

    /** Writes what is queued, then closes the sink and ends the thread. */
    void close() {
        closing = true;
        LockSupport.unpark(thread);
    }

    /** Waits up to {@code millis} for the thread to end after {@link #close}; for tests and shutdown. */
    boolean awaitClosed(long millis) throws InterruptedException {
        return thread.join(Duration.ofMillis(millis));
    }

    private void run() {
        StringBuilder line = new StringBuilder(512);
        while (true) {
            if (reopen) {
                reopen = false;
                attempt(() -> {
                    sink.flush();
                    sink.reopen();
                });
            }
            Entry e = queue.poll();
            if (e != null) {
                format.format(e, line);
                if (!attempt(() -> sink.write(line))) {
                    failedLines++;
                }
                continue;
            }
            attempt(sink::flush);
            if (closing && queue.isEmpty()) {
                attempt(sink::close);
                return;
            }
            LockSupport.parkNanos(NAP_NANOS);
        }
    }

    private interface Io {
        void run() throws IOException;
    }

    /** Runs {@code io}; a failure (disk full, file gone) is logged at most once a minute and the thread carries on. */
    private boolean attempt(Io io) {
        try {
            io.run();
            return true;
        } catch (IOException | RuntimeException ex) {
            if (errorLog.pass() >= 0) {
                LOG.warn("access log of listener {} ({}): {}; {} lines lost so far", listener,
                        config.file() == null ? "stdout" : config.file(), ex.toString(), failedLines);
            }
            return false;
        }
    }
}
