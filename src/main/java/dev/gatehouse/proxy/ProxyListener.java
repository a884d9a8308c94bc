package dev.gatehouse.proxy;

import dev.gatehouse.config.ListenerConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A running listener of either protocol, as the node manages it. */
public interface ProxyListener {

    /** Binds, blocking until the listener accepts connections; fails (Netty rethrows) when it cannot bind. */
    void start(InetSocketAddress bind) throws InterruptedException;

    /** Takes a changed config for the same bind address; open connections are untouched. */
    void update(ListenerConfig next);

    ListenerConfig config();

    InetSocketAddress localAddress();

    int activeConnections();

    /** Stops accepting, lets open connections finish, force-closes what is left after {@code bound}. */
    CompletableFuture<Void> drain(Duration bound);
}
