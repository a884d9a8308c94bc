package dev.gatehouse.accesslog;

import dev.gatehouse.time.WallClock;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One listener's access log as its event loops see it: a stable handle whose writer a reload swaps (or removes, which
 * turns logging off). The event loop asks {@link #sample} when a request or connection ends and, only if it is to be
 * logged, builds an {@link Entry} and {@link #submit}s it; nothing is formatted or written on the loop.
 *
 * <p>Sampling is a shared counter, not a random draw: with {@code sample: 10%} exactly one request in ten is logged,
 * the 10th, 20th, ...; spread over the listener's event loops by the order in which their requests end.
 */
public final class AccessLog {

    private static final long ALL = 1_000_000;

    private final String listener;
    private final WallClock clock;
    private final LongAdder dropped = new LongAdder();
    private final AtomicLong seen = new AtomicLong();
    private volatile LogWriter writer;
    private volatile long perMillion;

    AccessLog(String listener, WallClock clock) {
        this.listener = listener;
        this.clock = clock;
    }

    /** A log that never logs: for a listener built without a node (tests). */
    public static AccessLog off(String listener) {
        return new AccessLog(listener, WallClock.system());
    }

    public String listener() {
        return listener;
    }

    /** Whether the log is on: only then are a request's figures worth gathering. */
    public boolean on() {
        return writer != null;
    }

    /** Whether the request or connection ending now is to be logged: the log is on and the sample takes it. */
    public boolean sample() {
        if (writer == null) {
            return false;
        }
        long share = perMillion;
        if (share >= ALL) {
            return true;
        }
        long n = seen.getAndIncrement();
        return (n + 1) * share / ALL > n * share / ALL;
    }

    /** Queues {@code entry} for the writer; counted as dropped when its queue is full. Never waits. */
    public void submit(Entry entry) {
        LogWriter w = writer;
        if (w != null && !w.offer(entry)) {
            dropped.increment();
        }
    }

    /** A connection closed as it was accepted (over a limit, no pool): its line, if the log is on and samples it. */
    public void refused(InetSocketAddress client, String pool, Termination why) {
        if (sample()) {
            submit(new Entry(wallMillis(), client, listener, -1, pool, null, 0, 0, 0, -1, -1, -1, 0, why));
        }
    }

    /** Now, for {@link Entry#timeMillis()}. */
    public long wallMillis() {
        return clock.millis();
    }

    /** Lines refused because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    LogWriter writer() {
        return writer;
    }

    /** Makes {@code next} (null: none) the writer; the previous one writes what it has queued and closes. */
    void swap(LogWriter next) {
        LogWriter old = writer;
        if (next != null) {
            perMillion = Math.round(next.config.sample() * ALL);
        }
        writer = next;
        if (old != null) {
            old.close();
        }
    }
}
