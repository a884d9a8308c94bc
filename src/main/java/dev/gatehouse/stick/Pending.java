package dev.gatehouse.stick;

/**
 * Entries recorded on this node and not yet handed to replication: a ring of (key, endpoint, expiry) triples that
 * doubles as needed up to its capacity, so queueing allocates nothing in the steady state and the queue cannot grow
 * without bound.
 */
final class Pending {

    private static final int INITIAL = 64;

    private final int capacity;
    private long[] ring;
    private int head;
    private int size;
    private long oldestAt;

    Pending(int capacity) {
        this.capacity = capacity;
        this.ring = new long[Math.min(INITIAL, capacity) * 3];
    }

    /** False when the ring is full; the caller counts the update as dropped. */
    synchronized boolean offer(long key, long endpoint, long until, long now) {
        if (size == capacity) {
            return false;
        }
        if (size * 3 == ring.length) {
            grow();
        }
        if (size == 0) {
            oldestAt = now;
        }
        int at = (head + size) % slots() * 3;
        ring[at] = key;
        ring[at + 1] = endpoint;
        ring[at + 2] = until;
        size++;
        return true;
    }

    /** Takes up to {@code max} of the oldest updates, or null when there are none. */
    synchronized StickTable.Batch take(int max) {
        if (size == 0) {
            return null;
        }
        int n = Math.min(max, size);
        long[] entries = new long[n * 3];
        for (int i = 0; i < n; i++) {
            System.arraycopy(ring, (head + i) % slots() * 3, entries, i * 3, 3);
        }
        long recordedAt = oldestAt;
        head = (head + n) % slots();
        size -= n;
        return new StickTable.Batch(recordedAt, entries);
    }

    /**
     * Puts a batch that could not be replicated back in front of the queue, so it goes out again before anything
     * recorded after it; returns how many of its updates did not fit.
     */
    synchronized int restore(StickTable.Batch batch) {
        int n = Math.min(batch.size(), capacity - size);
        while (slots() < size + n) {
            grow();
        }
        head = (head - n + slots()) % slots();
        for (int i = 0; i < n; i++) {
            System.arraycopy(batch.entries(), i * 3, ring, (head + i) % slots() * 3, 3);
        }
        if (n > 0) {
            oldestAt = size == 0 ? batch.recordedAt() : Math.min(oldestAt, batch.recordedAt());
        }
        size += n;
        return batch.size() - n;
    }

    /** Bytes the ring holds now. */
    synchronized long bytes() {
        return (long) ring.length * Long.BYTES;
    }

    private int slots() {
        return ring.length / 3;
    }

    private void grow() {
        long[] bigger = new long[Math.min(slots() * 2, capacity) * 3];
        for (int i = 0; i < size; i++) {
            System.arraycopy(ring, (head + i) % slots() * 3, bigger, i * 3, 3);
        }
        ring = bigger;
        head = 0;
    }
}
