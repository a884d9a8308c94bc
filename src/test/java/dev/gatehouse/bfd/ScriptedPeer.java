package dev.gatehouse.bfd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A BFD peer played by the test, packet by packet, on its own port 3784 and with TTL 255 (the sessions' receive
 * filter drops anything else, and Java's own datagram sockets cannot set a unicast TTL).
 */
final class ScriptedPeer implements AutoCloseable {

    static final int DISCRIMINATOR = 0x5eed;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final BlockingQueue<ControlPacket> received = new LinkedBlockingQueue<>();
    private final Channel channel;
    private final InetSocketAddress to;

    ScriptedPeer(InetAddress local, InetAddress remote) {
        channel = Sockets.bindReceiver(group.next(), local, new SimpleChannelInboundHandler<DatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                Drop drop = ControlPacketCodec.check(packet.content());
                if (drop != null) {
                    throw new IllegalStateException("the session sent a packet its own checks drop: " + drop);
                }
                received.add(ControlPacketCodec.decode(packet.content()));
            }
        });
        to = Sockets.controlAddress(remote);
    }

    /** Sends a packet with 3 × {@code intervalMicros} timers; returns when it left, on {@link System#nanoTime}. */
    long send(SessionState state, int yourDiscriminator, long intervalMicros) {
        ByteBuf buf = Unpooled.buffer();
        ControlPacketCodec.encode(new ControlPacket(0, state, false, false, false, false, 3, DISCRIMINATOR,
                yourDiscriminator, intervalMicros, intervalMicros, 0), buf);
        long now = System.nanoTime();
        channel.writeAndFlush(new DatagramPacket(buf, to)).syncUninterruptibly();
        return now;
    }

    /** Sends whatever bytes the test wants. */
    void sendRaw(byte[] bytes) {
        channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(bytes), to)).syncUninterruptibly();
    }

    ControlPacket receive() {
        try {
            ControlPacket packet = received.poll(5, TimeUnit.SECONDS);
            if (packet == null) {
                throw new IllegalStateException("no packet from the session in 5 s");
            }
            return packet;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    ControlPacket receiveUntil(Predicate<ControlPacket> wanted) {
        for (int i = 0; i < 20; i++) {
            ControlPacket p = receive();
            if (wanted.test(p)) {
                return p;
            }
        }
        throw new IllegalStateException("no wanted packet in 20");
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
