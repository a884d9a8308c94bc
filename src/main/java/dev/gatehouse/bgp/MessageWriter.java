package dev.gatehouse.bgp;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Writes the messages this speaker sends, each whole with its header. */
final class MessageWriter {

    private static final int AS_SEQUENCE = 2;
    private static final int ORIGIN_IGP = 0;

    private MessageWriter() {}

    static void write(BgpMessage message, ByteBuf out) {
        switch (message) {
            case Open open -> open(open, out);
            case Keepalive k -> header(out, BgpMessage.KEEPALIVE, MessageReader.HEADER_LENGTH);
            case Notification n -> notification(n, out);
            case RouteUpdate update -> update(update, out);
            case ReceivedUpdate r -> throw new IllegalArgumentException("a received UPDATE is never sent");
        }
    }

    private static int header(ByteBuf out, int type, int length) {
        int start = out.writerIndex();
        for (int i = 0; i < MessageReader.MARKER_LENGTH; i++) {
            out.writeByte(0xFF);
        }
        out.writeShort(length); // patched by finish() when not known up front
        out.writeByte(type);
        return start;
    }

    private static void finish(ByteBuf out, int start) {
        out.setShort(start + MessageReader.MARKER_LENGTH, out.writerIndex() - start);
    }

    /** OPEN with the 4-octet AS capability and multiprotocol IPv4 and IPv6 unicast, in one capabilities parameter. */
    private static void open(Open open, ByteBuf out) {
        int start = header(out, BgpMessage.OPEN, 0);
        out.writeByte(open.version());
        out.writeShort(open.myAs());
        out.writeShort(open.holdTime());
        out.writeBytes(open.identifier().getAddress());
        int paramsLengthAt = out.writerIndex();
        out.writeByte(0);
        out.writeByte(2); // capabilities
        int capsLengthAt = out.writerIndex();
        out.writeByte(0);
        for (AddressFamily family : open.families()) {
            out.writeByte(MessageReader.CAPABILITY_MULTIPROTOCOL).writeByte(4);
            out.writeShort(family.afi).writeByte(0).writeByte(family.safi);
        }
        out.writeByte(MessageReader.CAPABILITY_FOUR_OCTET_AS).writeByte(4).writeInt((int) open.fourOctetAs());
        out.setByte(capsLengthAt, out.writerIndex() - capsLengthAt - 1);
        out.setByte(paramsLengthAt, out.writerIndex() - paramsLengthAt - 1);
        finish(out, start);
    }

    private static void notification(Notification n, ByteBuf out) {
        int start = header(out, BgpMessage.NOTIFICATION, 0);
        out.writeByte(n.code()).writeByte(n.subcode());
        // cut so the message stays within 4096 octets
        out.writeBytes(n.data(), 0, Math.min(n.dataLength(), MessageReader.MAX_LENGTH - MessageReader.HEADER_LENGTH - 2));
        finish(out, start);
    }

    /**
     * One host route: IPv4 in the UPDATE's own withdrawn-routes and NLRI fields, IPv6 in MP_REACH_NLRI /
     * MP_UNREACH_NLRI. Attributes go in type order: ORIGIN, AS_PATH, NEXT_HOP, LOCAL_PREF, COMMUNITIES, MP_*.
     */
    private static void update(RouteUpdate update, ByteBuf out) {
        Route route = update.route();
        boolean v4 = route.family() == AddressFamily.IPV4_UNICAST;
        int start = header(out, BgpMessage.UPDATE, 0);
        if (update.withdraw() && v4) {
            out.writeShort(5);
            prefix(route, out);
        } else {
            out.writeShort(0);
        }
        int attributesAt = out.writerIndex();
        out.writeShort(0);
        if (update.withdraw()) {
            if (!v4) {
                attribute(out, UpdateReader.OPTIONAL, UpdateReader.MP_UNREACH_NLRI, 3 + 17);
                out.writeShort(route.family().afi).writeByte(route.family().safi);
                prefix(route, out);
            }
        } else {
            PathAttributes path = update.attributes();
            attribute(out, UpdateReader.TRANSITIVE, UpdateReader.ORIGIN, 1).writeByte(ORIGIN_IGP);
            if (path.internal()) {
                attribute(out, UpdateReader.TRANSITIVE, UpdateReader.AS_PATH, 0);
            } else {
                attribute(out, UpdateReader.TRANSITIVE, UpdateReader.AS_PATH, 6);
                out.writeByte(AS_SEQUENCE).writeByte(1).writeInt((int) path.localAs());
            }
            if (v4) {
                attribute(out, UpdateReader.TRANSITIVE, UpdateReader.NEXT_HOP, 4).writeBytes(path.nextHop4().getAddress());
            }
            if (path.internal()) {
                attribute(out, UpdateReader.TRANSITIVE, UpdateReader.LOCAL_PREF, 4).writeInt(PathAttributes.DEFAULT_LOCAL_PREF);
            }
            if (!route.communities().isEmpty()) {
                attribute(out, UpdateReader.OPTIONAL | UpdateReader.TRANSITIVE, UpdateReader.COMMUNITIES,
                        4 * route.communities().size());
                for (Community c : route.communities()) {
                    out.writeInt(c.value());
                }
            }
            if (!v4) {
                attribute(out, UpdateReader.OPTIONAL, UpdateReader.MP_REACH_NLRI, 5 + 16 + 17);
                out.writeShort(route.family().afi).writeByte(route.family().safi);
                out.writeByte(16).writeBytes(ipv6(path.nextHop6()).getAddress()).writeByte(0);
                prefix(route, out);
            }
        }
        out.setShort(attributesAt, out.writerIndex() - attributesAt - 2);
        if (!update.withdraw() && v4) {
            prefix(route, out);
        }
        finish(out, start);
    }

    private static ByteBuf attribute(ByteBuf out, int flags, int type, int length) {
        return out.writeByte(flags).writeByte(type).writeByte(length);
    }

    private static void prefix(Route route, ByteBuf out) {
        out.writeByte(route.family().bits).writeBytes(route.address().getAddress());
    }

    /** An IPv6 next hop: itself, or an IPv4 address mapped into IPv6 (::ffff:a.b.c.d) on an IPv4 session. */
    static Inet6Address ipv6(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            return v6;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(((Inet4Address) address).getAddress(), 0, mapped, 12, 4);
        try {
            // getByAddress would turn a mapped address back into an Inet4Address
            return Inet6Address.getByAddress(null, mapped, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError("sixteen octets are always an address", e);
        }
    }
}
