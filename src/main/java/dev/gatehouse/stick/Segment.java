package dev.gatehouse.stick;

import java.util.Arrays;

/**
 * A part of a {@link StickTable}: open addressing with linear probing over three parallel arrays, at most half
 * full, so a lookup allocates nothing. The arrays start small and double as entries come, up to twice the
 * limit. Key 0 marks a free slot. Callers hold the segment's monitor.
 */
final class Segment {

    /** Share of the limit freed at once when a full segment must evict live entries, so eviction is rare. */
    private static final int EVICT_DIVISOR = 8;
    private static final int INITIAL_LENGTH = 16;

    private final int limit;
    private final int maxLength;
    private long[] keys;
    private long[] endpoints;
    private long[] expires;
    private int count;

    Segment(int limit) {
        this.limit = limit;
        this.maxLength = tableLength(limit);
        allocate(Math.min(INITIAL_LENGTH, maxLength));
    }

    int count() {
        return count;
    }

    int slots() {
        return keys.length;
    }

    /** The index of {@code key}'s entry, or -1. */
    int find(long key) {
        int i = slot(key);
        return keys[i] == key ? i : -1;
    }

    long endpoint(int i) {
        return endpoints[i];
    }

    long expires(int i) {
        return expires[i];
    }

    void renew(int i, long until) {
        expires[i] = until;
    }

    /**
     * Sets {@code key}'s entry; {@code keepLater}: when the endpoint is unchanged, keep whichever expiry is later.
     *
     * @return how many live entries were evicted to make room
     */
    int put(long key, long endpoint, long until, long now, boolean keepLater) {
        int i = slot(key);
        if (keys[i] == key) {
            if (!(keepLater && endpoints[i] == endpoint && expires[i] > until)) {
                expires[i] = until;
            }
            endpoints[i] = endpoint;
            return 0;
        }
        int evicted = 0;
        if (count >= limit) {
            evicted = makeRoom(now);
            i = slot(key);
        } else if ((count + 1) * 2 > keys.length) {
            rehash(keys.length * 2, Long.MIN_VALUE);
            i = slot(key);
        }
        keys[i] = key;
        endpoints[i] = endpoint;
        expires[i] = until;
        count++;
        return evicted;
    }

    /** Drops expired entries; returns whether there were any. */
    boolean purge(long now) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0 && expires[i] <= now) {
                rehash(keys.length, now);
                return true;
            }
        }
        return false;
    }

    /** Visits every entry alive at {@code now}. */
    void forEachLive(long now, StickTable.EntryVisitor visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0 && expires[i] > now) {
                visitor.entry(keys[i], endpoints[i], expires[i]);
            }
        }
    }

    void clear() {
        Arrays.fill(keys, 0);
        count = 0;
    }

    /**
     * Drops the expired entries and, if that frees too little, the live ones closest to expiry, so that an eighth
     * of the limit is free afterwards. Linear in the segment, but runs once per {@code limit / 8} inserts at most.
     */
    private int makeRoom(long now) {
        long[] alive = new long[count];
        int live = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0 && expires[i] > now) {
                alive[live++] = expires[i];
            }
        }
        int keep = limit - Math.max(1, limit / EVICT_DIVISOR);
        if (live <= keep) {
            rehash(keys.length, now);
            return 0;
        }
        Arrays.sort(alive, 0, live);
        long cutoff = alive[live - keep - 1];
        rehash(keys.length, cutoff);
        return live - count;
    }

    /**
     * Moves the entries expiring after {@code cutoff} into fresh arrays of {@code length} slots; that is also how
     * entries are removed, so probe chains never hold tombstones.
     */
    private void rehash(int length, long cutoff) {
        long[] oldKeys = keys;
        long[] oldEndpoints = endpoints;
        long[] oldExpires = expires;
        allocate(length);
        count = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0 && oldExpires[i] > cutoff) {
                int j = slot(oldKeys[i]);
                keys[j] = oldKeys[i];
                endpoints[j] = oldEndpoints[i];
                expires[j] = oldExpires[i];
                count++;
            }
        }
    }

    private int slot(long key) {
        int mask = keys.length - 1;
        int i = (int) (key ^ (key >>> 32)) & mask;
        while (keys[i] != 0 && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void allocate(int length) {
        keys = new long[length];
        endpoints = new long[length];
        expires = new long[length];
    }

    /** A power of two at least twice the limit: probes stay short and there is always a free slot. */
    private static int tableLength(int limit) {
        int wanted = Math.max(4, limit * 2);
        return Integer.highestOneBit(wanted - 1) << 1;
    }
}
