package dev.gatehouse.proxy;

import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.route.RouteTable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A running listener of either protocol, as the node manages it. */
public interface ProxyListener {

    /** Binds, blocking until the listener accepts connections; fails (Netty rethrows) when it cannot bind. */
    void start(InetSocketAddress bind) throws InterruptedException;

    /**
     * Takes a new route table (a reload, or a pool's health changed) for the same bind address: new requests and
     * connections read it; those in flight keep what they started with.
     */
    void update(RouteTable next);

    ListenerConfig config();

    InetSocketAddress localAddress();

    int activeConnections();

    /** Stops accepting, lets open connections finish, force-closes what is left after {@code bound}. */
    CompletableFuture<Void> drain(Duration bound);
}
