package dev.gatehouse.limit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;

/**
 * One client of one listener: its token bucket, its open connections, and the requests admitted since the last
 * usage drain. Every field changes by compare-and-set, so event loops share it without locks.
 *
 * <p>The bucket is one number, {@code full}: the instant it is full again. While that instant is in the past the
 * bucket is full; a request moves it one token's worth of time later, and is admitted when it stays within a
 * burst's worth of time from now. A connection holds its client's state for its whole life, so a request costs no
 * lookup and allocates nothing.
 */
public final class ClientState {

    /** Handed out when the listener has no per-client limits: counts nothing, admits everything. */
    public static final ClientState UNLIMITED = new ClientState(-1, null, 0);
    /** Handed out when the listener tracks as many clients as it may: counts nothing, admits everything. */
    public static final ClientState UNTRACKED = new ClientState(-2, null, 0);

    private static final VarHandle FULL;
    private static final VarHandle CONNECTIONS;
    private static final VarHandle ADMITTED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            FULL = l.findVarHandle(ClientState.class, "full", long.class);
            CONNECTIONS = l.findVarHandle(ClientState.class, "connections", int.class);
            ADMITTED = l.findVarHandle(ClientState.class, "admitted", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Connection count of a state removed from its table: whoever still finds it must look again. */
    private static final int EVICTED = -1;

    final long key;
    final InetAddress address;
    private volatile long full;
    private volatile int connections;
    private volatile long admitted;

    ClientState(long key, InetAddress address, long now) {
        this.key = key;
        this.address = address;
        this.full = now;
    }

    /** Whether this is a real client's state (not {@link #UNLIMITED} or {@link #UNTRACKED}). */
    public boolean tracked() {
        return address != null;
    }

    /**
     * Takes a token at {@code now}: 0 when one was there, else the nanoseconds until one will be.
     *
     * @param count whether the admitted request is remembered for the next usage drain
     */
    long take(long now, RatePolicy p, boolean count) {
        while (true) {
            long f = full;
            long next = (f - now > 0 ? f : now) + p.nanosPerToken();
            long wait = next - now - p.burstNanos();
            if (wait > 0) {
                return wait;
            }
            if (FULL.compareAndSet(this, f, next)) {
                if (count) {
                    ADMITTED.getAndAdd(this, 1L);
                }
                return 0;
            }
        }
    }

    /** Takes {@code tokens} that were spent elsewhere, down to minus a full burst. */
    void debit(long now, long tokens, RatePolicy p) {
        while (tokens > 0) {
            long f = full;
            long deficit = f - now > 0 ? f - now : 0;
            long room = p.floorNanos() - deficit;
            long add = tokens >= room / p.nanosPerToken() ? Math.max(room, 0) : tokens * p.nanosPerToken();
            if (FULL.compareAndSet(this, f, now + deficit + add)) {
                return;
            }
        }
    }

    /** A full bucket again. */
    void refill(long now) {
        full = now;
    }

    /** Tokens in the bucket at {@code now} (negative when others have spent more than it held). */
    double tokens(long now, RatePolicy p) {
        long deficit = full - now > 0 ? full - now : 0;
        return (double) (p.burstNanos() - deficit) / p.nanosPerToken();
    }

    /** Counts a new connection unless {@code cap} (0: none) are open; false as well once evicted. */
    boolean open(int cap) {
        while (true) {
            int c = connections;
            if (c == EVICTED || (cap > 0 && c >= cap)) {
                return false;
            }
            if (CONNECTIONS.compareAndSet(this, c, c + 1)) {
                return true;
            }
        }
    }

    void close() {
        CONNECTIONS.getAndAdd(this, -1);
    }

    boolean evicted() {
        return connections == EVICTED;
    }

    /** Marks the state evicted if it holds nothing a fresh one would not: full bucket, no connections, nothing to report. */
    boolean evictIfIdle(long now) {
        return full - now <= 0 && admitted == 0 && CONNECTIONS.compareAndSet(this, 0, EVICTED);
    }

    /** The requests admitted since the previous call. */
    long drainAdmitted() {
        return admitted == 0 ? 0 : (long) ADMITTED.getAndSet(this, 0L);
    }
}
