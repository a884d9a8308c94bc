package dev.gatehouse.stick;

import dev.gatehouse.config.StickConfig;
import dev.gatehouse.time.WallClock;
import java.util.concurrent.atomic.LongAdder;

/**
 * One pool's affinity table: a client's affinity key (the 64-bit hash of its {@code hash_on} value) maps to the
 * endpoint first picked for it ({@link dev.gatehouse.pool.Endpoint#key()}, derived from the address, so equal on
 * every node), until the entry expires. Entries recorded here are queued for replication; entries from the log are
 * {@linkplain #apply applied}. Expiry is wall-clock time, the one clock the nodes share.
 *
 * <p>Sixteen segments, each behind its own monitor held for a probe or two: the event loops never wait on I/O
 * here, and a lookup allocates nothing. The size cap holds per segment (a sixteenth of it each, rounded up).
 */
public final class StickTable {

    /** What {@link #lookup} answers for a key without a live entry. Endpoint keys are address hashes, never 0. */
    public static final long NONE = 0;
    private static final int SEGMENTS = 16;
    private static final int MAX_PENDING = 1 << 16;

    /** Receives entries as (affinity key, endpoint key, expiry in wall-clock milliseconds). */
    @FunctionalInterface
    interface EntryVisitor {
        void entry(long key, long endpoint, long expires);
    }

    /**
     * Updates recorded here, as (key, endpoint, expiry) triples.
     *
     * @param recordedAt wall-clock time of the oldest of them
     */
    record Batch(long recordedAt, long[] entries) {
        public int size() {
            return entries.length / 3;
        }
    }

    private final String pool;
    private final WallClock clock;
    private final LongAdder evicted = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private volatile long expireMillis;
    private volatile int size;
    private volatile Segment[] segments;
    private final Pending pending;

    StickTable(String pool, StickConfig config, WallClock clock) {
        this.pool = pool;
        this.clock = clock;
        this.expireMillis = config.expire().toMillis();
        this.size = config.size();
        this.segments = segments(config.size());
        this.pending = new Pending(pendingCapacity(config.size()));
    }

    public String pool() {
        return pool;
    }

    /**
     * The endpoint key recorded for {@code key}, or {@link #NONE}. A hit in the second half of its life is renewed
     * for a full {@code expire} and the renewal replicated, so an entry in use outlives its expiry on every node
     * while costing one replicated update per half-life.
     */
    public long lookup(long key) {
        long k = nonZero(key);
        long now = clock.millis();
        long expire = expireMillis;
        Segment s = segment(k);
        long endpoint;
        synchronized (s) {
            int i = s.find(k);
            if (i < 0 || s.expires(i) <= now) {
                return NONE;
            }
            endpoint = s.endpoint(i);
            if (s.expires(i) - now >= expire / 2) {
                return endpoint;
            }
            s.renew(i, now + expire);
        }
        queue(k, endpoint, now + expire, now);
        return endpoint;
    }

    /** From now on {@code key} goes to {@code endpoint}: here at once, on the other nodes once replicated. */
    public void record(long key, long endpoint) {
        long k = nonZero(key);
        long now = clock.millis();
        long until = now + expireMillis;
        Segment s = segment(k);
        synchronized (s) {
            evicted.add(s.put(k, endpoint, until, now, false));
        }
        queue(k, endpoint, until, now);
    }

    /**
     * An entry from the replicated log. For the same endpoint the later expiry wins (a renewal here may be newer
     * than the log's copy); for another endpoint the log's order decides, the same way on every node.
     */
    void apply(long key, long endpoint, long expires) {
        long now = clock.millis();
        if (key == 0 || endpoint == NONE || expires <= now) {
            return;
        }
        Segment s = segment(key);
        synchronized (s) {
            evicted.add(s.put(key, endpoint, expires, now, true));
        }
    }

    /** Up to {@code max} of the updates recorded here and not yet replicated, oldest first; null when none. */
    Batch takePending(int max) {
        return pending.take(max);
    }

    /**
     * A batch the cluster did not take (no leader, no majority): it goes out again first, as far as the queue has
     * room; what does not fit counts as dropped.
     */
    void retry(Batch batch) {
        dropped.add(pending.restore(batch));
    }

    /** Visits every live entry, one segment at a time. */
    void forEachLive(EntryVisitor visitor) {
        long now = clock.millis();
        for (Segment s : segments) {
            synchronized (s) {
                s.forEachLive(now, visitor);
            }
        }
    }

    /** Removes every entry (before a snapshot replaces the table). */
    void clear() {
        for (Segment s : segments) {
            synchronized (s) {
                s.clear();
            }
        }
    }

    /** Drops expired entries, so that {@link #entries()} counts live ones; the control plane calls it now and then. */
    void purgeExpired() {
        long now = clock.millis();
        for (Segment s : segments) {
            synchronized (s) {
                s.purge(now);
            }
        }
    }

    /**
     * Applies a reloaded pool's settings. A new size rebuilds the segments and copies the live entries over; an
     * entry recorded during the copy may be lost here, never on the other nodes.
     */
    void configure(StickConfig config) {
        expireMillis = config.expire().toMillis();
        if (config.size() == size) {
            return;
        }
        Segment[] old = segments;
        Segment[] fresh = segments(config.size());
        long now = clock.millis();
        for (Segment s : old) {
            synchronized (s) {
                s.forEachLive(now, (key, endpoint, expires) -> {
                    Segment target = fresh[index(key)];
                    evicted.add(target.put(key, endpoint, expires, now, true));
                });
            }
        }
        size = config.size();
        segments = fresh;
    }

    public int entries() {
        int n = 0;
        for (Segment s : segments) {
            synchronized (s) {
                n += s.count();
            }
        }
        return n;
    }

    /** Memory held by the table's arrays (three longs per slot) and its replication queue. */
    public long bytes() {
        long slots = 0;
        for (Segment s : segments) {
            synchronized (s) {
                slots += s.slots();
            }
        }
        return slots * 3 * Long.BYTES + pending.bytes();
    }

    /** Live entries pushed out because the table was full. */
    public long evicted() {
        return evicted.sum();
    }

    /** Updates that never reached the other nodes: the queue was full, or the cluster refused them. */
    public long dropped() {
        return dropped.sum();
    }

    private void queue(long key, long endpoint, long until, long now) {
        if (!pending.offer(key, endpoint, until, now)) {
            dropped.increment();
        }
    }

    private Segment segment(long key) {
        return segments[index(key)];
    }

    /** Top bits pick the segment; the segment probes from the low bits. */
    private static int index(long key) {
        return (int) (key >>> 60);
    }

    /** 0 marks a free slot, so a key that hashed to 0 is stored as 1 (it then shares 1's entry). */
    private static long nonZero(long key) {
        return key == 0 ? 1 : key;
    }

    private static Segment[] segments(int size) {
        Segment[] segments = new Segment[SEGMENTS];
        int limit = Math.max(1, (size + SEGMENTS - 1) / SEGMENTS);
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment(limit);
        }
        return segments;
    }

    private static int pendingCapacity(int size) {
        return Math.clamp(size, 1024, MAX_PENDING);
    }
}
