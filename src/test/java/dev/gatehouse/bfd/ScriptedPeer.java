package dev.gatehouse.bfd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Predicate;

/** A BFD peer played by the test, packet by packet, on its own port 3784. */
final class ScriptedPeer implements AutoCloseable {

    static final int DISCRIMINATOR = 0x5eed;

    private final DatagramSocket socket;
    private final InetSocketAddress to;

    ScriptedPeer(InetAddress local, InetAddress remote) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(local, Sockets.CONTROL_PORT));
        socket.setSoTimeout(5000);
        to = new InetSocketAddress(remote, Sockets.CONTROL_PORT);
    }

    /** Sends a packet with 3 × {@code intervalMicros} timers; returns when it left, on {@link System#nanoTime}. */
    long send(SessionState state, int yourDiscriminator, long intervalMicros) {
        ByteBuf buf = Unpooled.buffer();
        ControlPacketCodec.encode(new ControlPacket(0, state, false, false, false, false, 3, DISCRIMINATOR,
                yourDiscriminator, intervalMicros, intervalMicros, 0), buf);
        try {
            long now = System.nanoTime();
            socket.send(new DatagramPacket(buf.array(), buf.readableBytes(), to));
            return now;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ControlPacket receive() {
        byte[] bytes = new byte[64];
        DatagramPacket datagram = new DatagramPacket(bytes, bytes.length);
        try {
            socket.receive(datagram);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuf buf = Unpooled.wrappedBuffer(bytes, 0, datagram.getLength());
        Drop drop = ControlPacketCodec.check(buf);
        if (drop != null) {
            throw new IllegalStateException("the session sent a packet its own checks drop: " + drop);
        }
        return ControlPacketCodec.decode(buf);
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
        socket.close();
    }
}
