package dev.gatehouse.tls;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A Netty server on 127.0.0.1 whose connections get only a listener's TLS handlers: a handshake and nothing else. */
final class BareTlsServer implements AutoCloseable {

    final TlsService service = new TlsService(new SimpleMeterRegistry(), (subject, detail) -> { }, Clock.systemUTC());
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    /** Serves {@code leaf} with the default settings and {@code minVersion}. */
    BareTlsServer(TestCerts.Leaf leaf, String minVersion) throws InterruptedException {
        var pair = new TlsSettings.CertificatePair(leaf.cert(), leaf.key(), leaf.cert().toString(), leaf.key().toString());
        TlsSettings settings = new TlsSettings(List.of(pair), minVersion, TlsSettings.DEFAULT_CIPHERS,
                TlsSettings.DEFAULT_GROUPS, TlsSettings.DEFAULT_ALPN, null);
        service.stage(Map.of("web", settings)).commit();
        ListenerTls tls = service.listener("web");
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        tls.install(ch, Duration.ofSeconds(5));
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close(); // a refused handshake, as a listener's own handler closes it
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
