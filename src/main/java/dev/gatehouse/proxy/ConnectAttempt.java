package dev.gatehouse.proxy;

import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.route.ResolvedPool;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import java.util.BitSet;

/**
 * One {@link UpstreamConnector#connect} call: the listener of each connect in turn, and finally of the connected
 * channel's close. The choice of endpoints and the outcomes are the {@link EndpointChoice}'s.
 */
final class ConnectAttempt implements ChannelFutureListener {

    private final UpstreamConnector connector;
    private final EventLoop loop;
    private final EndpointChoice choice;
    private final UpstreamConnector.Callback callback;
    private boolean connected;
    private Endpoint endpoint;

    ConnectAttempt(UpstreamConnector connector, EventLoop loop, ResolvedPool pool, long hash, BitSet tried,
            UpstreamConnector.Callback callback) {
        this.connector = connector;
        this.loop = loop;
        this.choice = new EndpointChoice(tried == null ? new BitSet() : tried);
        this.callback = callback;
        choice.reset(pool, hash, hash);
    }

    void start() {
        Endpoint first = choice.stuck();
        if (first == null) {
            first = choice.pick();
        }
        if (first == null) {
            callback.noEndpoint();
        } else {
            attempt(first);
        }
    }

    @Override
    public void operationComplete(ChannelFuture future) {
        if (connected) {
            endpoint.activeRequests().decrementAndGet(); // the relay's upstream closed
        } else {
            connectDone(future);
        }
    }

    private void attempt(Endpoint next) {
        endpoint = next;
        choice.attempt(next);
        connector.dial(loop, next, choice.pool(), null).addListener(this);
    }

    private void connectDone(ChannelFuture future) {
        Channel channel = future.channel();
        if (future.isSuccess()) {
            connected = true;
            endpoint.activeRequests().incrementAndGet();
            endpoint.connections().add(channel);
            channel.closeFuture().addListener(this);
            choice.succeeded(endpoint);
            callback.connected(channel, endpoint);
            return;
        }
        if (!channel.isRegistered()) {
            // A local failure (the loop is shutting down): not the endpoint's fault, and no point in retrying.
            callback.connectFailed(future.cause());
            return;
        }
        choice.failed(endpoint);
        channel.close();
        Endpoint next = choice.mayRetry() ? choice.pick() : null;
        if (next == null) {
            callback.connectFailed(future.cause());
        } else {
            attempt(next);
        }
    }
}
