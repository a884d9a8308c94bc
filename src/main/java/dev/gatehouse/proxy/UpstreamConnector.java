package dev.gatehouse.proxy;

import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.route.ResolvedPool;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.BitSet;

/**
 * Opens connections to a pool's endpoints: picks one with the pool's balancer, connects within the
 * pool's connect timeout and, when that fails, tries another endpoint up to the pool's
 * {@code retries} times. Every outcome goes to {@link ResolvedPool#outcomes()}. A connected channel counts in
 * its endpoint's {@link Endpoint#activeRequests()} and {@link Endpoint#connections()} until it closes.
 *
 * <p>The upstream channel is registered on the caller's event loop, so a relay between the two never
 * crosses threads. It comes back with an empty pipeline and autoRead off: the caller installs its
 * handlers in {@link Callback#connected} before anything can be read.
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
     * @param tried endpoints (by {@link Endpoint#index()}) not to pick, updated with the ones that fail;
     *     null when there are none yet
     */
    public void connect(EventLoop loop, ResolvedPool pool, long hash, BitSet tried, Callback callback) {
        new ConnectAttempt(transport, loop, pool, hash, tried, callback).start();
    }
}
