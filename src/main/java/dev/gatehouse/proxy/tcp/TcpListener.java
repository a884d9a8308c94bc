package dev.gatehouse.proxy.tcp;

import dev.gatehouse.accesslog.AccessLog;
import dev.gatehouse.accesslog.Termination;
import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.config.Protocol;
import dev.gatehouse.limit.ClientLimiter;
import dev.gatehouse.limit.ClientState;
import dev.gatehouse.metrics.ListenerStats;
import dev.gatehouse.proxy.ProxyListener;
import dev.gatehouse.proxy.Transport;
import dev.gatehouse.proxy.UpstreamConnector;
import dev.gatehouse.route.ResolvedPool;
import dev.gatehouse.route.RouteTable;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.tls.ListenerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@code protocol: tcp} listener: relays every accepted connection, byte for byte, to an endpoint of
 * its pool. Each new connection reads the pool from the listener's current route table, so a reload that swaps
 * it leaves established relays on the endpoints they already have.
 */
public final class TcpListener implements ProxyListener {

    private volatile RouteTable routes;
    private final Transport transport;
    private final ListenerStats stats;
    private final ClientLimiter limiter;
    private final Ticker ticker;
    private final ListenerTls tls;
    private final AccessLog accessLog;
    private final UpstreamConnector connector;
    private final ChannelGroup clients;
    private final ChannelFutureListener onClientClosed;
    private volatile Channel serverChannel;

    /**
     * @param routes the listener's config and its pool, resolved (the pool null when there is none)
     * @param limiter the per-client limits, configured by the caller: each connection takes a token of its client
     * @param tls while the config gives it {@code tls:}, TLS is terminated and the cleartext relayed
     * @param accessLog where a line per connection goes while the config gives it {@code access_log:}
     */
    public TcpListener(RouteTable routes, Transport transport, ListenerStats stats, ClientLimiter limiter, Ticker ticker,
            ListenerTls tls, AccessLog accessLog) {
        if (routes == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        ListenerConfig config = routes.config();
        if (config.protocol() != Protocol.TCP) {
            throw new IllegalArgumentException("listener " + config.name() + ": protocol must be tcp, got " + config.protocol());
        }
        if (config.bind() == null) {
            throw new IllegalArgumentException("listener " + config.name() + ": bind must be set");
        }
        if (config.pool() == null) {
            throw new IllegalArgumentException("listener " + config.name() + ": pool must be set");
        }
        this.routes = routes;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.tls = Objects.requireNonNull(tls, "tls");
        this.accessLog = Objects.requireNonNull(accessLog, "accessLog");
        this.connector = new UpstreamConnector(transport);
        this.clients = new DefaultChannelGroup("listener/" + config.name(), GlobalEventExecutor.INSTANCE);
        this.onClientClosed = closed -> stats.closed();
    }

    /** Binds the listener's address; the future fails when the address cannot be bound. */
    public Future<?> start() {
        return bind(config().bind().address().socketAddress());
    }

    @Override
    public void start(InetSocketAddress address) throws InterruptedException {
        bind(address).sync();
    }

    private ChannelFuture bind(InetSocketAddress address) {
        if (serverChannel != null) {
            throw new IllegalStateException("listener " + config().name() + " already started");
        }
        ChannelFuture bound = transport.serverBootstrap(config().bind().vip() != null)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new Acceptor())
                .bind(address);
        serverChannel = bound.channel();
        return bound;
    }

    /** New connections use the new pool and limits; established relays keep the endpoints they have. */
    @Override
    public void update(RouteTable next) {
        routes = next;
    }

    @Override
    public ListenerConfig config() {
        return routes.config();
    }

    /** Stops accepting; relays finish by themselves (a TCP proxy cannot ask them to), and are closed after {@code bound}. */
    @Override
    public CompletableFuture<Void> drain(Duration bound) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        stop().addListener(f -> awaitClients(done, System.nanoTime() + bound.toNanos()));
        return done;
    }

    private void awaitClients(CompletableFuture<Void> done, long deadline) {
        if (clients.isEmpty()) {
            done.complete(null);
        } else if (System.nanoTime() >= deadline) {
            clients.close().addListener(f -> done.complete(null));
        } else {
            GlobalEventExecutor.INSTANCE.schedule(() -> awaitClients(done, deadline), 20, TimeUnit.MILLISECONDS);
        }
    }

    /** The bound address (the real port when the config asked for port 0); null before {@link #start()}. */
    @Override
    public InetSocketAddress localAddress() {
        Channel server = serverChannel;
        return server == null ? null : (InetSocketAddress) server.localAddress();
    }

    /** Stops accepting; established relays carry on until their peers close them or {@link #closeAll()}. */
    public Future<?> stop() {
        Channel server = serverChannel;
        return server == null ? GlobalEventExecutor.INSTANCE.newSucceededFuture(null) : server.close();
    }

    @Override
    public int activeConnections() {
        return stats.active();
    }

    /** Closes every client connection of this listener, and with each its upstream connection. */
    public void closeAll() {
        clients.close();
    }

    /** Admits, or refuses, each accepted connection and installs its relay. */
    private final class Acceptor extends ChannelInitializer<Channel> {

        @Override
        protected void initChannel(Channel ch) {
            RouteTable current = routes;
            if (!stats.admit(Objects.requireNonNullElse(current.config().limits(), LimitsConfig.NONE).maxConnections())) {
                accessLog.refused((InetSocketAddress) ch.remoteAddress(), current.config().pool(), Termination.LIMITED);
                ch.close();
                return;
            }
            ch.closeFuture().addListener(onClientClosed);
            if (!admitClient(ch)) {
                accessLog.refused((InetSocketAddress) ch.remoteAddress(), current.config().pool(), Termination.LIMITED);
                ch.close();
                return;
            }
            clients.add(ch);
            ResolvedPool pool = current.pool();
            if (pool == null) {
                accessLog.refused((InetSocketAddress) ch.remoteAddress(), current.config().pool(), Termination.NO_ENDPOINT);
                ch.close();
                return;
            }
            ChannelPipeline pipeline = ch.pipeline();
            tls.install(ch, current.config().headerReadTimeout());
            Duration idle = pool.config().timeouts().idle();
            if (idle != null && idle.isPositive()) {
                pipeline.addLast(new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS));
            }
            pipeline.addLast(new TcpRelay(pool, connector, stats, accessLog, ticker).clientSide());
        }

        /** Per-client limits: a connection counts against its client's cap and takes a token of its rate. */
        private boolean admitClient(Channel ch) {
            ClientState client = limiter.connect(((InetSocketAddress) ch.remoteAddress()).getAddress());
            if (client == null) {
                stats.refuseByClientCap();
                return false;
            }
            if (limiter.acquire(client, ticker.nanos()) != 0) {
                limiter.disconnect(client);
                stats.refuseByRate();
                return false;
            }
            if (client == ClientState.UNTRACKED) {
                stats.untrackedClient();
            } else if (client.tracked()) {
                ch.closeFuture().addListener(closed -> limiter.disconnect(client));
            }
            return true;
        }
    }
}
