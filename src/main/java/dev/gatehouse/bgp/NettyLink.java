package dev.gatehouse.bgp;

import dev.gatehouse.guard.ExitReset;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A {@link Link} over a Netty channel on the speaker's event loop, so every call into the {@link Session} comes on
 * that one thread. Events of a connection the session already closed are dropped.
 */
final class NettyLink implements Link {

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final Bootstrap bootstrap;
    private final InetSocketAddress remote;
    /** Null: the kernel picks the source address. */
    private final InetSocketAddress local;
    private Session session;
    private Channel current;

    NettyLink(Bootstrap template, PeerSettings peer) {
        this.remote = new InetSocketAddress(peer.address(), peer.port());
        this.local = peer.localAddress() == null ? null : new InetSocketAddress(peer.localAddress(), 0);
        this.bootstrap = template.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new FrameDecoder(), new Inbound());
                    }
                });
    }

    void attach(Session session) {
        this.session = session;
    }

    @Override
    public void connect() {
        ChannelFuture connecting = local == null ? bootstrap.connect(remote) : bootstrap.connect(remote, local);
        current = connecting.channel(); // before the listener, which runs at once if the attempt already ended
        connecting.addListener((ChannelFutureListener) f -> {
            if (f.channel() != current) {
                f.channel().close();
            } else if (f.isSuccess()) {
                // reset by the exit guard if this JVM dies: the router drops the routes then, not after the heap
                ExitReset.Tracked tracked = ExitReset.track(f.channel().localAddress());
                f.channel().closeFuture().addListener(closed -> tracked.close());
                session.connected();
            } else {
                current = null;
                session.connectFailed(describe(f.cause()));
            }
        });
    }

    @Override
    public void send(BgpMessage message) {
        if (current != null && current.isActive()) {
            ByteBuf out = current.alloc().buffer(64);
            MessageWriter.write(message, out);
            current.writeAndFlush(out, current.voidPromise());
        }
    }

    @Override
    public void close() {
        Channel channel = current;
        current = null;
        if (channel != null) {
            // after what was queued (a NOTIFICATION) is written
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public InetAddress localAddress() {
        return current == null ? null : ((InetSocketAddress) current.localAddress()).getAddress();
    }

    private static String describe(Throwable cause) {
        return cause == null ? "unknown" : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    private final class Inbound extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (ctx.channel() != current) {
                return;
            }
            if (msg instanceof MessageError error) {
                session.malformed(error.notification(), error.getMessage());
            } else {
                session.received((BgpMessage) msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() == current) {
                current = null;
                session.closed("by the peer");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (ctx.channel() == current) {
                current = null;
                ctx.close();
                session.closed(describe(cause));
            } else {
                ctx.close();
            }
        }
    }
}
