package dev.gatehouse.proxy;

import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.EndpointStatus;
import dev.gatehouse.pool.Pool;
import dev.gatehouse.pool.PoolView;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;

/**
 * One {@link UpstreamConnector#connect} call: the only object it allocates besides the channels. It is
 * the listener of each step in turn (register, connect, and finally the connected channel's close).
 */
final class ConnectAttempt implements ChannelFutureListener {

    /** Picks with a perturbed hash before falling back to a scan; enough for any balancer to move on. */
    private static final int REPICKS = 8;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private enum Phase { REGISTERING, CONNECTING, CONNECTED }

    private final Transport transport;
    private final EventLoop loop;
    private final Pool pool;
    private final UpstreamConnector.Callback callback;
    private final int connectTimeoutMillis;
    private final long hash;
    private BitSet tried;
    private int retriesLeft;
    private Phase phase;
    private Endpoint endpoint;
    private Channel channel;

    ConnectAttempt(Transport transport, EventLoop loop, Pool pool, long hash, BitSet tried, UpstreamConnector.Callback callback) {
        this.transport = transport;
        this.loop = loop;
        this.pool = pool;
        this.hash = hash;
        this.tried = tried;
        this.callback = callback;
        this.retriesLeft = pool.config().retries();
        this.connectTimeoutMillis = millis(pool.config().timeouts().connect());
    }

    void start() {
        Endpoint first = pick();
        if (first == null) {
            callback.noEndpoint();
        } else {
            attempt(first);
        }
    }

    @Override
    public void operationComplete(ChannelFuture future) {
        switch (phase) {
            case REGISTERING -> registered(future);
            case CONNECTING -> connectDone(future);
            case CONNECTED -> endpoint.activeRequests().decrementAndGet();
        }
    }

    private void attempt(Endpoint next) {
        endpoint = next;
        channel = transport.newClientChannel();
        channel.config().setConnectTimeoutMillis(connectTimeoutMillis);
        phase = Phase.REGISTERING;
        loop.register(channel).addListener(this);
    }

    private void registered(ChannelFuture future) {
        if (!future.isSuccess()) {
            // A local failure (the loop is shutting down): not the endpoint's fault, and no point in retrying.
            channel.close();
            callback.connectFailed(future.cause());
            return;
        }
        phase = Phase.CONNECTING;
        channel.connect(endpoint.socketAddress()).addListener(this);
    }

    private void connectDone(ChannelFuture future) {
        if (future.isSuccess()) {
            phase = Phase.CONNECTED;
            endpoint.activeRequests().incrementAndGet();
            endpoint.connections().add(channel);
            channel.closeFuture().addListener(this);
            pool.outcomes().success(endpoint);
            callback.connected(channel, endpoint);
            return;
        }
        pool.outcomes().failure(endpoint);
        channel.close();
        if (tried == null) {
            tried = new BitSet();
        }
        tried.set(endpoint.index());
        Endpoint next = retriesLeft-- > 0 ? pick() : null;
        if (next == null) {
            callback.connectFailed(future.cause());
        } else {
            attempt(next);
        }
    }

    private Endpoint pick() {
        PoolView view = pool.view();
        long h = hash;
        for (int i = 0; i < REPICKS; i++) {
            Endpoint e = view.balancer().pick(h);
            if (e == null || tried == null || !tried.get(e.index())) {
                return e;
            }
            h = mix(h + GOLDEN);
        }
        return firstUntried(view);
    }

    /** The balancer keeps landing on tried endpoints (a hash with few choices left): take any other that serves. */
    private Endpoint firstUntried(PoolView view) {
        List<EndpointStatus> all = view.endpoints();
        for (int i = 0; i < all.size(); i++) {
            EndpointStatus s = all.get(i);
            if ((view.panic() || s.state().serving()) && !tried.get(s.endpoint().index())) {
                return s.endpoint();
            }
        }
        return null;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static int millis(Duration d) {
        return d == null ? 0 : (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }
}
