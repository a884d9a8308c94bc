package dev.gatehouse.bfd;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.IntegerUnixChannelOption;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.random.RandomGenerator;

/**
 * The UDP sockets of RFC 5881: one receiving socket per local address on port 3784, one sending socket per session
 * on a port from 49152–65535 (§4: the same port for the session's life), sending with TTL/Hop Limit 255 (§5).
 *
 * <p>Java's own DatagramChannel sets the TTL of multicast only, so this needs Netty's epoll transport, which sets
 * any integer socket option: IP_TTL (level IPPROTO_IP 0, option 2) or IPV6_UNICAST_HOPS (41, 16).
 */
final class Sockets {

    static final int CONTROL_PORT = 3784;
    static final int SOURCE_PORT_MIN = 49152;
    static final int SOURCE_PORT_MAX = 65535;
    static final int TTL = 255;
    private static final IntegerUnixChannelOption IP_TTL = new IntegerUnixChannelOption("IP_TTL", 0, 2);
    private static final IntegerUnixChannelOption IPV6_UNICAST_HOPS =
            new IntegerUnixChannelOption("IPV6_UNICAST_HOPS", 41, 16);
    /** DSCP CS6 (network control), as routers mark their own BFD; it keeps the packets ahead of bulk traffic. */
    private static final int TOS_NETWORK_CONTROL = 0xc0;
    private static final int BIND_ATTEMPTS = 64;

    private Sockets() {}

    static void requireEpoll() {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("bfd needs Netty's epoll transport (Linux) to send with TTL 255: "
                    + Epoll.unavailabilityCause());
        }
    }

    /** Binds {@code local}:3784 for receiving, packets with a TTL below 255 dropped by the kernel (§5). */
    static Channel bindReceiver(EventLoop loop, InetAddress local, ChannelHandler handler) {
        ChannelFuture bound = bootstrap(loop, local, handler)
                .option(TtlFilter.OPTION, TtlFilter.program(local instanceof Inet4Address))
                .bind(local, CONTROL_PORT).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("bfd: cannot receive on " + local.getHostAddress() + ":" + CONTROL_PORT
                    + ": " + bound.cause().getMessage(), bound.cause());
        }
        return bound.channel();
    }

    /** Binds {@code local} on a random free source port and checks the kernel took TTL 255. */
    static Channel bindSender(EventLoop loop, InetAddress local, RandomGenerator random) {
        Throwable last = null;
        for (int i = 0; i < BIND_ATTEMPTS; i++) {
            int port = random.nextInt(SOURCE_PORT_MIN, SOURCE_PORT_MAX + 1);
            ChannelFuture bound = bootstrap(loop, local, new ChannelInboundHandlerAdapter()).bind(local, port)
                    .awaitUninterruptibly();
            if (bound.isSuccess()) {
                Channel channel = bound.channel();
                Integer ttl = channel.config().getOption(ttlOption(local));
                if (ttl == null || ttl != TTL) {
                    channel.close();
                    throw new IllegalStateException("bfd: the kernel did not take TTL " + TTL + " (it has " + ttl + ")");
                }
                return channel;
            }
            last = bound.cause();
        }
        throw new IllegalStateException("bfd: no free source port in " + SOURCE_PORT_MIN + "-" + SOURCE_PORT_MAX
                + " on " + local.getHostAddress() + " after " + BIND_ATTEMPTS + " tries: " + last.getMessage(), last);
    }

    static InetSocketAddress controlAddress(InetAddress peer) {
        return new InetSocketAddress(peer, CONTROL_PORT);
    }

    private static Bootstrap bootstrap(EventLoop loop, InetAddress local, ChannelHandler handler) {
        boolean v4 = local instanceof Inet4Address;
        return new Bootstrap().group(loop)
                .channelFactory(() -> new EpollDatagramChannel(v4 ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6))
                .option(ttlOption(local), TTL)
                .option(ChannelOption.IP_TOS, TOS_NETWORK_CONTROL)
                .handler(handler);
    }

    private static IntegerUnixChannelOption ttlOption(InetAddress local) {
        return local instanceof Inet4Address ? IP_TTL : IPV6_UNICAST_HOPS;
    }
}
