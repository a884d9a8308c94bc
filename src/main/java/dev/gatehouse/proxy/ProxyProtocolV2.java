package dev.gatehouse.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * The binary PROXY protocol v2 header (command PROXY, TCP) that tells an endpoint who the client
 * really is. A mixed IPv4/IPv6 pair is sent as IPv6, the IPv4 side as {@code ::ffff:a.b.c.d}.
 * Connections the proxy makes for itself (health checks) carry the LOCAL header instead.
 */
public final class ProxyProtocolV2 {

    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int VERSION_2_PROXY = 0x21;
    private static final int VERSION_2_LOCAL = 0x20;
    private static final int UNSPECIFIED = 0x00;
    private static final int TCP_OVER_IPV4 = 0x11;
    private static final int TCP_OVER_IPV6 = 0x21;

    private ProxyProtocolV2() {}

    /** The header for a connection from {@code source} (the client) to {@code destination} (our listener). */
    public static ByteBuf encode(ByteBufAllocator alloc, InetSocketAddress source, InetSocketAddress destination) {
        InetAddress src = source.getAddress();
        InetAddress dst = destination.getAddress();
        boolean v4 = src instanceof Inet4Address && dst instanceof Inet4Address;
        int addressLength = v4 ? 2 * 4 + 4 : 2 * 16 + 4;
        ByteBuf out = alloc.buffer(SIGNATURE.length + 4 + addressLength);
        out.writeBytes(SIGNATURE)
                .writeByte(VERSION_2_PROXY)
                .writeByte(v4 ? TCP_OVER_IPV4 : TCP_OVER_IPV6)
                .writeShort(addressLength);
        writeAddress(out, src, v4);
        writeAddress(out, dst, v4);
        return out.writeShort(source.getPort()).writeShort(destination.getPort());
    }

    /**
     * The header of a connection opened on the proxy's own behalf: command LOCAL, no addresses. There is no client
     * behind a health check, so none is claimed; the endpoint takes the connection's real peer (this node), as the
     * protocol specifies and as HAProxy's checks send it. Its 16 bytes, a new array each call.
     */
    public static byte[] local() {
        byte[] header = Arrays.copyOf(SIGNATURE, SIGNATURE.length + 4);
        header[SIGNATURE.length] = VERSION_2_LOCAL;
        header[SIGNATURE.length + 1] = UNSPECIFIED; // and an address length of 0
        return header;
    }

    private static void writeAddress(ByteBuf out, InetAddress address, boolean v4) {
        byte[] bytes = address.getAddress();
        if (!v4 && bytes.length == 4) {
            out.writeZero(10).writeShort(0xFFFF);
        }
        out.writeBytes(bytes);
    }
}
