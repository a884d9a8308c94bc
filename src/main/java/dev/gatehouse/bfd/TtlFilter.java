package dev.gatehouse.bfd;

import io.netty.channel.unix.RawUnixChannelOption;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * RFC 5881 §5 on receive: a single-hop packet must arrive with TTL (hop limit) 255. Netty's datagram channels do not
 * return the IP_RECVTTL control message, and Linux does not apply IP_MINTTL to UDP, so a classic BPF socket
 * filter (SO_ATTACH_FILTER) reads the byte from the IP header and has the kernel drop the rest before they are
 * queued. Such drops are not in this package's counters (the kernel never hands them over).
 */
final class TtlFilter {

    /** setsockopt(SOL_SOCKET = 1, SO_ATTACH_FILTER = 26) with a struct sock_fprog (x86-64 and arm64: 16 bytes). */
    static final RawUnixChannelOption OPTION = new RawUnixChannelOption("SO_ATTACH_FILTER", 1, 26, 16);

    /** SKF_NET_OFF: an offset from the network header rather than from the UDP header the filter starts at. */
    private static final int NET_OFF = -0x100000;
    private static final short LD_B_ABS = 0x30;
    private static final short JEQ_K = 0x15;
    private static final short RET_K = 0x06;

    /** The four instructions stay referenced here: the kernel copies them at attach time, but from this address. */
    private static final ByteBuffer IPV4 = instructions(8);
    private static final ByteBuffer IPV6 = instructions(7);

    private TtlFilter() {}

    /** The struct sock_fprog for the filter of an IPv4 (TTL, byte 8) or IPv6 (hop limit, byte 7) socket. */
    static ByteBuffer program(boolean ipv4) {
        ByteBuffer filter = ipv4 ? IPV4 : IPV6;
        ByteBuffer program = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        program.putShort(0, (short) 4);
        program.putLong(8, MemorySegment.ofBuffer(filter).address());
        return program;
    }

    private static ByteBuffer instructions(int ttlOffset) {
        ByteBuffer code = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
        instruction(code, 0, LD_B_ABS, 0, 0, NET_OFF + ttlOffset); // A = the TTL byte
        instruction(code, 1, JEQ_K, 0, 1, Sockets.TTL);            // 255: next; else skip one
        instruction(code, 2, RET_K, 0, 0, -1);                     // accept the whole packet
        instruction(code, 3, RET_K, 0, 0, 0);                      // drop
        return code;
    }

    private static void instruction(ByteBuffer code, int index, short op, int jt, int jf, int k) {
        int at = index * 8;
        code.putShort(at, op);
        code.put(at + 2, (byte) jt);
        code.put(at + 3, (byte) jf);
        code.putInt(at + 4, k);
    }
}
