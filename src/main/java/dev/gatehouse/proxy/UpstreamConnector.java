package dev.gatehouse.proxy;

import dev.gatehouse.config.HostPort;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.route.ResolvedPool;
import dev.gatehouse.tls.UpstreamTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.BitSet;

/**
 * Opens connections to a pool's endpoints. {@link #dial} opens one, to an endpoint the caller chose (HTTP, which
 * chooses, reuses and retries per request with its own {@link EndpointChoice}); {@link #connect} chooses too: the
 * stick table's endpoint or the balancer's pick, then on a failed connect another endpoint up to the pool's
 * {@code retries} times, every outcome going to {@link ResolvedPool#outcomes()} (TCP). A channel {@link #connect}
 * connected counts in its endpoint's {@link Endpoint#activeRequests()} and {@link Endpoint#connections()} until it
 * closes.
 *
 * <p>The upstream channel is registered on the caller's event loop, so a relay between the two never
 * crosses threads. It comes back with an empty pipeline and autoRead off: the caller installs its
 * handlers in {@link Callback#connected} before anything can be read.
 *
 * <p>For a pool with TLS the pipeline starts with an {@link SslHandler}, and a connection counts as connected only
 * once its handshake is done: a failed handshake is a failed connect (retried, and counted against the endpoint, as a
 * refused one is), and the pool's {@link UpstreamTls} counts and logs it.
 */
public final class UpstreamConnector {

    /** Told, on the event loop, how a {@link #connect} ended. Exactly one method is called, once. */
    public interface Callback {

        void connected(Channel upstream, Endpoint endpoint);

        /** The pool had no endpoint to try (none serving, or all already tried). */
        void noEndpoint();

        /** Every attempt failed; {@code cause} is the last failure. */
        void connectFailed(Throwable cause);
    }

    private final Transport transport;

    public UpstreamConnector(Transport transport) {
        if (transport == null) {
            throw new IllegalArgumentException("transport must not be null");
        }
        this.transport = transport;
    }

    /**
     * Connects to an endpoint of {@code pool}.
     *
     * @param loop the event loop the upstream channel is registered on (usually the client channel's)
     * @param hash the request's hash key, for hashing balancers
     * @param tried endpoints (by {@link Endpoint#index()}) not to pick, updated with the ones tried;
     *     null when there are none yet
     */
    public void connect(EventLoop loop, ResolvedPool pool, long hash, BitSet tried, Callback callback) {
        new ConnectAttempt(this, loop, pool, hash, tried, callback).start();
    }

    /**
     * Opens one connection to {@code endpoint}, registered on {@code loop}, within the pool's connect timeout (and
     * the TLS handshake, for a pool with TLS, within as long again).
     *
     * @param handler installed in the channel's pipeline before it registers; null to install handlers once connected
     * @return completes when connected, or failed; a channel that is not registered then failed locally
     */
    public ChannelFuture dial(EventLoop loop, Endpoint endpoint, ResolvedPool pool, ChannelHandler handler) {
        Channel channel = transport.newClientChannel();
        int timeout = millis(pool.config().timeouts().connect());
        channel.config().setConnectTimeoutMillis(timeout);
        if (handler != null) {
            channel.pipeline().addLast(handler);
        }
        ChannelPromise connected = new DefaultChannelPromise(channel, loop);
        ChannelPromise tcp = pool.tls() == null ? connected : new DefaultChannelPromise(channel, loop);
        loop.register(channel).addListener((ChannelFutureListener) registered -> {
            if (registered.isSuccess()) {
                channel.connect(endpoint.socketAddress(), tcp);
            } else {
                channel.unsafe().closeForcibly();
                tcp.setFailure(registered.cause());
            }
        });
        if (pool.tls() != null) {
            tcp.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    handshake(channel, endpoint, pool.tls(), timeout, connected);
                } else {
                    connected.setFailure(f.cause());
                }
            });
        }
        return connected;
    }

    private static void handshake(Channel channel, Endpoint endpoint, UpstreamTls tls, int timeout, ChannelPromise connected) {
        HostPort address = endpoint.config().address();
        SslHandler ssl = tls.newHandler(channel.alloc(), address.host(), address.port(), timeout);
        channel.pipeline().addFirst(ssl);
        ssl.handshakeFuture().addListener(h -> {
            if (h.isSuccess()) {
                connected.setSuccess();
            } else {
                if (!(h.cause() instanceof ClosedChannelException)) {
                    tls.handshakeFailed(endpoint.address(), h.cause()); // not a close of ours while it was under way
                }
                connected.setFailure(h.cause());
                channel.close();
            }
        });
        channel.read(); // autoRead is off: the handshake reads for itself from here on
    }

    private static int millis(Duration d) {
        return d == null ? 0 : (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }
}
