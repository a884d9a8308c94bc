package dev.gatehouse.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.unix.RawUnixChannelOption;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every new connection to a VIP port to the listener that joined its SO_REUSEPORT group last, so a graceful
 * handover between two processes on one host is make-before-break: the successor binds next to the old owner and
 * from that instant takes every new connection, while the old owner finishes what it accepted and then closes a
 * listener whose accept queue is empty (closing a listener resets the connections still queued on it).
 *
 * <p>How: a classic BPF program for the group ({@code SO_ATTACH_REUSEPORT_CBPF}) that returns index 1, the second
 * socket. With two members that is the newer one; when the older one closes, the kernel moves the newer one to
 * index 0, the program's answer is out of range, and the kernel picks by hash among the one socket left. The
 * program belongs to the group, so any member may attach it; it is attached by each listener once it listens.
 * The group only admits sockets of the same user, so no other user's process can join and take connections.
 */
@ChannelHandler.Sharable
final class NewestListenerFirst extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(NewestListenerFirst.class);

    static final NewestListenerFirst INSTANCE = new NewestListenerFirst();

    /** SOL_SOCKET and SO_ATTACH_REUSEPORT_CBPF (asm-generic/socket.h); struct sock_fprog is 16 bytes on 64-bit. */
    private static final ChannelOption<ByteBuffer> ATTACH_REUSEPORT_CBPF =
            new RawUnixChannelOption("SO_ATTACH_REUSEPORT_CBPF", 1, 51, 16);
    /** One instruction, BPF_RET | BPF_K with k = 1: "the socket at index 1". Kept alive: the kernel reads it. */
    private static final ByteBuffer PROGRAM = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder())
            .putShort((short) 0x06).put((byte) 0).put((byte) 0).putInt(1).flip();

    private NewestListenerFirst() {
    }

    /** Whether this platform's struct sock_fprog is the one built here (a 64-bit pointer). */
    static boolean supported() {
        return ValueLayout.ADDRESS.byteSize() == 8;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        try {
            ByteBuffer fprog = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
            fprog.putShort(0, (short) 1).putLong(8, MemorySegment.ofBuffer(PROGRAM).address());
            if (!ctx.channel().config().setOption(ATTACH_REUSEPORT_CBPF, fprog)) {
                LOG.warn("VIP listener {}: the transport cannot steer new connections to it", ctx.channel().localAddress());
            }
        } catch (RuntimeException e) {
            // then the group picks by hash: a handover on this host may reset a connection queued on the old owner
            LOG.warn("VIP listener {}: new connections not steered to it ({})", ctx.channel().localAddress(), e.toString());
        }
        ctx.fireChannelActive();
    }
}
