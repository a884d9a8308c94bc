package dev.gatehouse.gslb;

import dev.gatehouse.proxy.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DNS server's sockets: one UDP socket and one TCP listener on the same address and port, on the process's
 * event loops. Each message is answered on the loop that read it, from the zone snapshot current at that moment;
 * nothing here blocks.
 */
final class DnsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);
    /** A TCP client that sends nothing for this long is disconnected (RFC 7766 suggests seconds, not minutes). */
    private static final int TCP_IDLE_SECONDS = 10;
    /** Attempts to find a port free for both UDP and TCP when asked for port 0. */
    private static final int EPHEMERAL_TRIES = 20;

    private final Channel udp;
    private final Channel tcp;

    private DnsServer(Channel udp, Channel tcp) {
        this.udp = udp;
        this.tcp = tcp;
    }

    /** Binds UDP and TCP on {@code address} (port 0: the same free port for both). */
    static DnsServer start(Transport transport, InetSocketAddress address, Responder responder) throws InterruptedException, BindException {
        for (int attempt = 0; ; attempt++) {
            Channel udp = bindUdp(transport, address, responder);
            InetSocketAddress bound = (InetSocketAddress) udp.localAddress();
            try {
                return new DnsServer(udp, bindTcp(transport, bound, responder));
            } catch (BindException e) {
                udp.close().sync();
                if (address.getPort() != 0 || attempt >= EPHEMERAL_TRIES) {
                    throw e;
                }
            }
        }
    }

    private static Channel bindUdp(Transport transport, InetSocketAddress address, Responder responder) throws InterruptedException, BindException {
        Bootstrap b = new Bootstrap().group(transport.workerGroup()).channel(datagramChannel(transport.kind()))
                .handler(new UdpHandler(responder));
        return bind(b.bind(address), address, "UDP");
    }

    private static Channel bindTcp(Transport transport, InetSocketAddress address, Responder responder) throws InterruptedException, BindException {
        var b = transport.serverBootstrap(false)
                .childOption(ChannelOption.AUTO_READ, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, TCP_IDLE_SECONDS, TimeUnit.SECONDS),
                                new LengthFieldBasedFrameDecoder(65535 + 2, 0, 2, 0, 2), new TcpHandler(responder));
                    }
                });
        return bind(b.bind(address), address, "TCP");
    }

    private static Channel bind(io.netty.channel.ChannelFuture f, InetSocketAddress address, String what) throws InterruptedException, BindException {
        f.await();
        if (!f.isSuccess()) {
            BindException e = new BindException("cannot bind DNS " + what + " on " + address + ": " + f.cause().getMessage());
            e.initCause(f.cause());
            throw e;
        }
        return f.channel();
    }

    private static Class<? extends DatagramChannel> datagramChannel(Transport.Kind kind) {
        return switch (kind) {
            case IO_URING -> IoUringDatagramChannel.class;
            case EPOLL -> EpollDatagramChannel.class;
            case NIO -> NioDatagramChannel.class;
        };
    }

    /** Where the server listens (UDP and TCP share it). */
    InetSocketAddress address() {
        return (InetSocketAddress) udp.localAddress();
    }

    @Override
    public void close() {
        udp.close().syncUninterruptibly();
        tcp.close().syncUninterruptibly();
    }

    /** Answers what it reads and flushes once per batch of reads. */
    private abstract static class Answering<I> extends SimpleChannelInboundHandler<I> {

        final Responder responder;

        Answering(Responder responder) {
            this.responder = responder;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    @ChannelHandler.Sharable
    private static final class UdpHandler extends Answering<DatagramPacket> {

        UdpHandler(Responder responder) {
            super(responder);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress sender = packet.sender();
            responder.respond(packet.content().nioBuffer(), sender.getAddress(), false,
                    reply -> ctx.write(new DatagramPacket(Unpooled.wrappedBuffer(reply), sender)));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("gslb: UDP error", cause); // a send to a vanished client; the socket goes on
        }
    }

    private static final class TcpHandler extends Answering<ByteBuf> {

        TcpHandler(Responder responder) {
            super(responder);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            responder.respond(frame.nioBuffer(), remote.getAddress(), true, reply -> {
                ByteBuf out = ctx.alloc().buffer(2 + reply.length);
                out.writeShort(reply.length).writeBytes(reply);
                ctx.write(out);
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("gslb: TCP connection closed on error", cause);
            ctx.close();
        }
    }
}
