package dev.gatehouse.proxy.http;

import dev.gatehouse.pool.Endpoint;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Idle keep-alive connections to endpoints, one cache per event loop: a client connection only
 * reuses upstream channels of its own loop, so no lock is ever taken and no bytes cross threads.
 * Idle channels keep a read pending, so a backend that closes one is noticed at once.
 */
final class UpstreamPool {

    private static final int MAX_IDLE_PER_ENDPOINT = 256;
    private static final FastThreadLocal<UpstreamPool> POOLS = new FastThreadLocal<>();

    private final EventLoop loop;
    private final Map<Endpoint, ArrayDeque<Upstream>> idle = new HashMap<>();
    private boolean sweeping;

    private UpstreamPool(EventLoop loop) {
        this.loop = loop;
    }

    /** The cache of the calling event loop. */
    static UpstreamPool of(EventLoop loop) {
        UpstreamPool pool = POOLS.get();
        if (pool == null) {
            pool = new UpstreamPool(loop);
            POOLS.set(pool);
        }
        return pool;
    }

    /** An open idle connection to {@code endpoint}, most recently used first, or null. */
    Upstream acquire(Endpoint endpoint) {
        ArrayDeque<Upstream> q = idle.get(endpoint);
        if (q == null) {
            return null;
        }
        Upstream u;
        while ((u = q.pollLast()) != null) {
            if (u.channel().isActive()) {
                return u;
            }
        }
        return null;
    }

    /** Keeps an upstream for reuse until its idle timeout; closes it when the cache is full. */
    void release(Upstream upstream) {
        ArrayDeque<Upstream> q = idle.computeIfAbsent(upstream.endpoint(), e -> new ArrayDeque<>());
        if (q.size() >= MAX_IDLE_PER_ENDPOINT) {
            upstream.channel().close();
            return;
        }
        upstream.idleSince(System.nanoTime());
        q.addLast(upstream);
        upstream.channel().read();
        if (!sweeping) {
            sweeping = true;
            loop.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        }
    }

    /** Forgets an upstream that closed while idle. */
    void remove(Upstream upstream) {
        ArrayDeque<Upstream> q = idle.get(upstream.endpoint());
        if (q != null) {
            q.remove(upstream);
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<Endpoint, ArrayDeque<Upstream>>> it = idle.entrySet().iterator(); it.hasNext(); ) {
            ArrayDeque<Upstream> q = it.next().getValue();
            q.removeIf(u -> {
                boolean expired = !u.channel().isActive() || u.idleExpired(now);
                if (expired) {
                    u.channel().close();
                }
                return expired;
            });
            if (q.isEmpty()) {
                it.remove();
            }
        }
    }
}
