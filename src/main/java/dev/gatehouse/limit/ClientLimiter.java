package dev.gatehouse.limit;

import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.time.Ticker;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The per-client limits of one listener: a token bucket on requests and a cap on open connections for each client
 * IP. A connection looks its client up once, when it opens ({@link #connect}), and keeps the state it gets; each of
 * its requests then takes a token from that state ({@link #acquire}) without a lookup, a lock or an allocation.
 *
 * <p>At most {@code maxClients} clients are tracked. A client whose bucket is full and that has no connection open
 * is in the state a new client starts in, so {@link #sweep} forgets it and nothing changes; once the table is full,
 * further new clients are let through untracked until a sweep makes room.
 *
 * <p>A reload keeps every client's open connections counted. It refills every bucket when the rate or the burst
 * changes (a bucket's level means nothing under another rate); otherwise buckets carry on as they were.
 */
public final class ClientLimiter {

    private final String listener;
    private final Ticker ticker;
    private final int maxClients;
    private final ConcurrentMap<Long, ClientState> clients = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private volatile RatePolicy policy;
    /** Whether admitted requests are counted for the usage exchange: only once something drains them. */
    private volatile boolean counting;

    ClientLimiter(String listener, Ticker ticker, int maxClients) {
        this.listener = listener;
        this.ticker = ticker;
        this.maxClients = maxClients;
    }

    /** Takes the listener's limits (null or without {@code per_client}: no per-client limits). */
    public synchronized void configure(LimitsConfig limits) {
        RatePolicy next = limits == null || limits.perClient() == null ? null : RatePolicy.of(limits.perClient());
        RatePolicy before = policy;
        policy = next;
        if (next != null && !next.sameRate(before)) {
            long now = ticker.nanos();
            clients.values().forEach(s -> s.refill(now));
        }
    }

    /** Whether per-client limits are in force. */
    public boolean limited() {
        return policy != null;
    }

    /**
     * A new connection from {@code address}: the client's state, counted as one more open connection and to be
     * handed to {@link #disconnect} when it closes; {@link ClientState#UNLIMITED} or {@link ClientState#UNTRACKED}
     * when no limit applies; null when the client already has as many connections open as it may.
     */
    public ClientState connect(InetAddress address) {
        RatePolicy p = policy;
        return p == null ? ClientState.UNLIMITED : open(address, p.connections());
    }

    /** Like {@link #connect} but never refuses: for a connection that was open before per-client limits were set. */
    public ClientState attach(InetAddress address) {
        return policy == null ? ClientState.UNLIMITED : open(address, 0);
    }

    private ClientState open(InetAddress address, int cap) {
        long key = ClientKeys.of(address);
        while (true) {
            ClientState s = clients.get(key);
            if (s == null) {
                s = insert(key, address);
                if (s == null) {
                    return ClientState.UNTRACKED;
                }
            }
            if (s.open(cap)) {
                return s;
            }
            if (!s.evicted()) {
                return null;
            }
            forget(s); // a sweep is removing it; help, then look again
        }
    }

    /** Adds a state for a new client; null when the table is full. */
    private ClientState insert(long key, InetAddress address) {
        if (size.incrementAndGet() > maxClients) {
            size.decrementAndGet();
            return null;
        }
        ClientState fresh = new ClientState(key, address, ticker.nanos());
        ClientState raced = clients.putIfAbsent(key, fresh);
        if (raced != null) {
            size.decrementAndGet();
            return raced;
        }
        return fresh;
    }

    /** Removes an evicted state; whoever removes it (a sweep, or a connection that found it evicted) counts it. */
    private void forget(ClientState evicted) {
        if (clients.remove(evicted.key, evicted)) {
            size.decrementAndGet();
        }
    }

    /** A connection from {@link #connect} or {@link #attach} has closed. */
    public void disconnect(ClientState client) {
        if (client.tracked()) {
            client.close();
        }
    }

    /**
     * Takes a token for one request (HTTP) or connection (TCP) of {@code client} at {@code now}: 0 when admitted,
     * else the nanoseconds until a token is there.
     */
    public long acquire(ClientState client, long now) {
        RatePolicy p = policy;
        return p == null || !client.tracked() ? 0 : client.take(now, p, counting);
    }

    /** Clients tracked now. */
    public int trackedClients() {
        return size.get();
    }

    /** Forgets every client whose state is that of a new one; returns how many were forgotten. */
    public int sweep() {
        long now = ticker.nanos();
        int forgotten = 0;
        for (ClientState s : clients.values()) {
            if (s.evictIfIdle(now)) {
                forget(s);
                forgotten++;
            }
        }
        return forgotten;
    }

    /** Hands each client's admitted requests since the previous drain to {@code sink}, and starts counting them. */
    void drain(UsageExchange.Sink sink) {
        counting = true;
        for (ClientState s : clients.values()) {
            long n = s.drainAdmitted();
            if (n > 0) {
                sink.usage(listener, s.address.getHostAddress(), n);
            }
        }
    }

    /** Debits {@code requests} that {@code address} made at another node. */
    void absorb(InetAddress address, long requests) {
        RatePolicy p = policy;
        if (p == null || requests <= 0) {
            return;
        }
        long key = ClientKeys.of(address);
        while (true) {
            ClientState s = clients.get(key);
            if (s == null && (s = insert(key, address)) == null) {
                return; // the table is full: this client goes untracked here
            }
            s.debit(ticker.nanos(), requests, p);
            if (!s.evicted()) {
                return;
            }
            forget(s); // swept meanwhile: the debit went with it, so debit a fresh state
        }
    }

    /** Tokens {@code address} has now, or null when it is not tracked (a full bucket). For status and tests. */
    public Double tokens(InetAddress address) {
        RatePolicy p = policy;
        ClientState s = clients.get(ClientKeys.of(address));
        return p == null || s == null ? null : s.tokens(ticker.nanos(), p);
    }
}
