package dev.gatehouse.proxy.http;

import dev.gatehouse.accesslog.AccessLog;
import dev.gatehouse.accesslog.Termination;
import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.limit.ClientLimiter;
import dev.gatehouse.limit.ClientState;
import dev.gatehouse.metrics.EndpointStats;
import dev.gatehouse.metrics.ListenerStats;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.proxy.ProxyListener;
import dev.gatehouse.proxy.Transport;
import dev.gatehouse.proxy.UpstreamConnector;
import dev.gatehouse.proxy.http.h2.Exchanges;
import dev.gatehouse.proxy.http.h2.H2Connection;
import dev.gatehouse.proxy.http.h2.PriorKnowledge;
import dev.gatehouse.proxy.http.h2.ProtocolChoice;
import dev.gatehouse.route.RouteTable;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.tls.ListenerTls;
import dev.gatehouse.tls.TlsSettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP listener: accepts clients and hands each to a {@link ClientConnection}, or, on TLS with {@code h2} offered
 * by ALPN, to {@link ProtocolChoice}, which gives a client that chose HTTP/2 a {@link ClientConnection} per stream. Its route table (config,
 * routes and their pools) is swapped by a reload or a health change while connections stay open: each new request
 * reads the current one.
 */
public final class HttpListener implements ProxyListener, Exchanges {

    private final Transport transport;
    private final UpstreamConnector connector;
    private final Metrics metrics;
    private final ListenerStats stats;
    private final RefusalLog refusals;
    private final ClientLimiter limiter;
    private final Ticker ticker;
    private final ListenerTls tls;
    private final AccessLog accessLog;
    private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile RouteTable routes;
    private volatile boolean draining;
    private Channel server;

    /**
     * @param limiter the per-client limits, configured by the caller
     * @param tls its certificates while the config gives it {@code tls:}
     * @param accessLog where a line per request goes while the config gives it {@code access_log:}
     */
    public HttpListener(RouteTable routes, Transport transport, Metrics metrics, ClientLimiter limiter, Ticker ticker,
            ListenerTls tls, AccessLog accessLog) {
        this.transport = transport;
        this.connector = new UpstreamConnector(transport);
        this.metrics = metrics;
        this.stats = metrics.listener(routes.config().name());
        this.refusals = new RefusalLog(routes.config().name(), stats, ticker);
        this.limiter = limiter;
        this.ticker = ticker;
        this.tls = tls;
        this.accessLog = accessLog;
        this.routes = routes;
    }

    @Override
    public void start(InetSocketAddress bind) throws InterruptedException {
        ServerBootstrap b = transport.serverBootstrap(config().bind().vip() != null)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (!stats.admit(config().limits().maxConnections())) {
                            accessLog.refused((InetSocketAddress) ch.remoteAddress(), null, Termination.LIMITED);
                            ch.close();
                            return;
                        }
                        clients.add(ch);
                        // A client's half-close ends what it sends, not the exchange: its request is still answered.
                        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
                        ClientState client = limiter.connect(((InetSocketAddress) ch.remoteAddress()).getAddress());
                        if (client == null) {
                            stats.refuseByClientCap();
                        } else if (client == ClientState.UNTRACKED) {
                            stats.untrackedClient();
                        }
                        List<String> alpn = tls.install(ch, config().headerReadTimeout());
                        if (alpn != null && alpn.contains(TlsSettings.H2)) {
                            ch.pipeline().addLast(new ProtocolChoice(HttpListener.this, client));
                        } else if (alpn == null && config().h2c()) {
                            ch.pipeline().addLast(new PriorKnowledge(HttpListener.this, client));
                        } else {
                            ch.pipeline().addLast(new ClientConnection(HttpListener.this, client, alpn != null, null));
                        }
                    }
                });
        server = b.bind(bind).sync().channel();
        transport.delayAcks(server);
    }

    /** New requests use the new routes, pools and timeouts. */
    @Override
    public void update(RouteTable next) {
        routes = next;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public ListenerConfig config() {
        return routes.config();
    }

    @Override
    public int activeConnections() {
        return clients.size();
    }

    /**
     * Stops accepting, lets each client finish the exchange in flight (idle keep-alive connections close
     * at once, busy ones after their response), and force-closes what is left after {@code bound}.
     */
    @Override
    public CompletableFuture<Void> drain(Duration bound) {
        draining = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (server != null) {
            server.close();
        }
        for (Channel ch : clients) {
            ClientConnection conn = ch.pipeline().get(ClientConnection.class);
            H2Connection h2 = ch.pipeline().get(H2Connection.class);
            if (conn != null) {
                ch.eventLoop().execute(conn::drain);
            } else if (h2 != null) {
                ch.eventLoop().execute(h2::drain);
            }
        }
        GlobalEventExecutor.INSTANCE.execute(() -> waitEmpty(done, System.nanoTime() + bound.toNanos()));
        return done;
    }

    private void waitEmpty(CompletableFuture<Void> done, long deadline) {
        if (clients.isEmpty()) {
            done.complete(null);
        } else if (System.nanoTime() > deadline) {
            clients.close().addListener(f -> done.complete(null));
        } else {
            GlobalEventExecutor.INSTANCE.schedule(() -> waitEmpty(done, deadline), 20, TimeUnit.MILLISECONDS);
        }
    }

    // ---- for HTTP/2 (Exchanges) ----

    @Override
    public boolean draining() {
        return draining;
    }

    @Override
    public ChannelHandler http1(ClientState client, boolean https) {
        return new ClientConnection(this, client, https, null);
    }

    @Override
    public ChannelHandler stream(ClientState client, Channel connection, boolean https) {
        return new ClientConnection(this, client, https, connection);
    }

    @Override
    public void connectionClosed(ClientState client) {
        stats.closed();
        if (client != null) {
            limiter.disconnect(client);
        }
    }

    @Override
    public void refused(String label, String detail) {
        refusals.refusedHttp2(label, detail);
    }

    // ---- for ClientConnection ----

    RouteTable routes() {
        return routes;
    }

    ListenerStats stats() {
        return stats;
    }

    RefusalLog refusals() {
        return refusals;
    }

    ClientLimiter limiter() {
        return limiter;
    }

    EndpointStats endpointStats(Endpoint endpoint) {
        return metrics.endpoint(endpoint.pool(), endpoint.address());
    }

    AccessLog accessLog() {
        return accessLog;
    }

    Ticker ticker() {
        return ticker;
    }

    UpstreamConnector connector() {
        return connector;
    }
}
