package dev.gatehouse.limit;

import dev.gatehouse.time.Ticker;
import java.net.InetAddress;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-client limiters of a node, one per listener name. A limiter outlives its listener being rebound by a
 * reload, so clients keep their buckets; it goes when its listener leaves the config. This is also what the node
 * shares with its peers: local usage goes out by {@link #drainLocal}, theirs comes in by {@link #absorbRemote}.
 */
public final class ClientLimits implements UsageExchange {

    /** Clients tracked per listener; a client costs about 150 bytes. */
    public static final int DEFAULT_MAX_CLIENTS = 100_000;

    private final Ticker ticker;
    private final int maxClients;
    private final ConcurrentMap<String, ClientLimiter> limiters = new ConcurrentHashMap<>();
    private final LongAdder dropped = new LongAdder();

    public ClientLimits(Ticker ticker) {
        this(ticker, DEFAULT_MAX_CLIENTS);
    }

    public ClientLimits(Ticker ticker, int maxClients) {
        if (maxClients < 1) {
            throw new IllegalArgumentException("maxClients must be at least 1, got " + maxClients);
        }
        this.ticker = ticker;
        this.maxClients = maxClients;
    }

    /** The limiter of {@code listener}, created (without limits) on first use. */
    public ClientLimiter limiter(String listener) {
        ClientLimiter l = limiters.get(listener);
        return l != null ? l : limiters.computeIfAbsent(listener, n -> new ClientLimiter(n, ticker, maxClients));
    }

    /** Forgets the limiters of listeners no longer configured. */
    public void retain(Collection<String> listeners) {
        limiters.keySet().retainAll(Set.copyOf(listeners));
    }

    /** Forgets clients whose state is that of a new one, on every listener (a control-plane chore). */
    public void sweep() {
        limiters.values().forEach(ClientLimiter::sweep);
    }

    @Override
    public void drainLocal(Sink sink) {
        limiters.values().forEach(l -> l.drain(sink));
    }

    /**
     * Usage for a listener this node does not run is ignored; a report whose client is not an IP literal, or whose
     * count is negative, is dropped and counted.
     */
    @Override
    public void absorbRemote(String listener, String client, long requests) {
        ClientLimiter l = limiters.get(listener);
        if (l == null || requests == 0) {
            return;
        }
        InetAddress address;
        try {
            address = client == null || requests < 0 ? null : InetAddress.ofLiteral(client);
        } catch (IllegalArgumentException e) {
            address = null;
        }
        if (address == null) {
            dropped.increment();
            return;
        }
        l.absorb(address, requests);
    }

    /** Remote usage reports dropped as malformed. */
    public long droppedUsage() {
        return dropped.sum();
    }
}
