package dev.gatehouse.proxy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one listener, written by the data plane and read by metrics. {@code bytesIn} is what
 * clients sent, {@code bytesOut} what endpoints sent back.
 */
public final class ListenerStats {

    private final LongAdder accepted = new LongAdder();
    private final LongAdder refusedByLimit = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final AtomicInteger active = new AtomicInteger();

    public long accepted() {
        return accepted.sum();
    }

    public long refusedByLimit() {
        return refusedByLimit.sum();
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long bytesOut() {
        return bytesOut.sum();
    }

    /** Client connections open now. */
    public int active() {
        return active.get();
    }

    /**
     * Counts a new client connection and admits it when fewer than {@code limit} are open (0: no limit).
     * An admitted connection must be {@link #closed()} exactly once.
     */
    public boolean admit(int limit) {
        accepted.increment();
        if (active.incrementAndGet() > limit && limit > 0) {
            active.decrementAndGet();
            refusedByLimit.increment();
            return false;
        }
        return true;
    }

    public void closed() {
        active.decrementAndGet();
    }

    public void addBytesIn(long n) {
        bytesIn.add(n);
    }

    public void addBytesOut(long n) {
        bytesOut.add(n);
    }
}
