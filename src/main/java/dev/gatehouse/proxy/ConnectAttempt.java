package dev.gatehouse.proxy;

import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.route.ResolvedPool;
import dev.gatehouse.stick.StickTable;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.BitSet;

/**
 * One {@link UpstreamConnector#connect} call: the only object it allocates besides the channels. It is
 * the listener of each step in turn (register, connect, and finally the connected channel's close).
 */
final class ConnectAttempt implements ChannelFutureListener {

    private enum Phase { REGISTERING, CONNECTING, CONNECTED }

    private final Transport transport;
    private final EventLoop loop;
    private final ResolvedPool pool;
    private final UpstreamConnector.Callback callback;
    private final int connectTimeoutMillis;
    private final long hash;
    private BitSet tried;
    private int retriesLeft;
    private Phase phase;
    private Endpoint endpoint;
    private Channel channel;

    ConnectAttempt(Transport transport, EventLoop loop, ResolvedPool pool, long hash, BitSet tried, UpstreamConnector.Callback callback) {
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
        StickTable stick = pool.stick();
        Endpoint first = stick == null ? null : EndpointPicker.serving(pool.view(), stick.lookup(hash));
        if (first == null) {
            first = pick();
        }
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

    /** The balancer's pick, recorded in the pool's stick table if it has one. */
    private Endpoint pick() {
        Endpoint picked = EndpointPicker.pick(pool.view(), hash, tried);
        StickTable stick = pool.stick();
        if (picked != null && stick != null) {
            stick.record(hash, picked.key());
        }
        return picked;
    }

    private static int millis(Duration d) {
        return d == null ? 0 : (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }
}
