package dev.gatehouse.bgp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Raw messages for tests, built byte by byte so they may break any rule. */
final class Frames {

    private Frames() {}

    static byte[] frame(int type, byte[] body) {
        ByteBuf out = Unpooled.buffer();
        for (int i = 0; i < 16; i++) {
            out.writeByte(0xFF);
        }
        out.writeShort(19 + body.length).writeByte(type).writeBytes(body);
        return bytes(out);
    }

    static byte[] update(byte[] withdrawn, byte[] attributes, byte[] nlri) {
        ByteBuf body = Unpooled.buffer();
        body.writeShort(withdrawn.length).writeBytes(withdrawn).writeShort(attributes.length).writeBytes(attributes)
                .writeBytes(nlri);
        return frame(BgpMessage.UPDATE, bytes(body));
    }

    /** An OPEN: version 4, {@code myAs}, hold time, identifier, then capabilities as given (already TLV-encoded). */
    static byte[] open(int myAs, int holdTime, int[] identifier, byte[] capabilities) {
        ByteBuf body = Unpooled.buffer();
        body.writeByte(4).writeShort(myAs).writeShort(holdTime);
        for (int octet : identifier) {
            body.writeByte(octet);
        }
        if (capabilities.length == 0) {
            body.writeByte(0);
        } else {
            body.writeByte(capabilities.length + 2).writeByte(2).writeByte(capabilities.length).writeBytes(capabilities);
        }
        return frame(BgpMessage.OPEN, bytes(body));
    }

    /** The 4-octet AS capability and IPv4 unicast. */
    static byte[] capabilities(long as) {
        return bytes(Unpooled.buffer().writeByte(1).writeByte(4).writeShort(1).writeByte(0).writeByte(1)
                .writeByte(65).writeByte(4).writeInt((int) as));
    }

    static byte[] bytes(ByteBuf buf) {
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
    }

    static byte[] of(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteBuf out = Unpooled.buffer();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return bytes(out);
    }

    // well-formed attributes
    static final byte[] ORIGIN_IGP = of(0x40, 1, 1, 0);
    static final byte[] AS_PATH_65000 = of(0x40, 2, 6, 2, 1, 0, 0, 0xFD, 0xE8);
    static final byte[] NEXT_HOP = of(0x40, 3, 4, 192, 0, 2, 2);
    static final byte[] NLRI_32 = of(32, 198, 51, 100, 1);
}
