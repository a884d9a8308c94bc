package dev.gatehouse.bfd;

import io.netty.buffer.ByteBuf;

/**
 * The wire format of RFC 5880 §4.1 (no authentication section). {@link #check} applies the reception checks of
 * §6.8.6 that need no session (steps 1–6, the A bit since no session here authenticates, and P with F); only a
 * packet that passed it is {@link #decode decoded}. Nothing here throws on bad input.
 */
final class ControlPacketCodec {

    static final int LENGTH = 24;
    private static final int AUTH_MIN_LENGTH = 26;
    private static final int VERSION = 1;

    private static final int POLL = 0x20;
    private static final int FINAL = 0x10;
    private static final int CPI = 0x08;
    private static final int AUTH = 0x04;
    private static final int DEMAND = 0x02;
    private static final int MULTIPOINT = 0x01;

    private ControlPacketCodec() {}

    /** Writes {@code p} as 24 bytes: version 1, A and M clear. */
    static void encode(ControlPacket p, ByteBuf out) {
        out.writeByte(VERSION << 5 | p.diag() & 0x1f);
        out.writeByte(p.state().code() << 6 | (p.poll() ? POLL : 0) | (p.fin() ? FINAL : 0)
                | (p.controlPlaneIndependent() ? CPI : 0) | (p.demand() ? DEMAND : 0));
        out.writeByte(p.detectMult());
        out.writeByte(LENGTH);
        out.writeInt(p.myDiscriminator());
        out.writeInt(p.yourDiscriminator());
        out.writeInt((int) p.desiredMinTxMicros());
        out.writeInt((int) p.requiredMinRxMicros());
        out.writeInt((int) p.requiredMinEchoRxMicros());
    }

    /** Null when the readable bytes of {@code in} hold an acceptable packet, else why it must be discarded. */
    static Drop check(ByteBuf in) {
        int at = in.readerIndex();
        int payload = in.readableBytes();
        if (payload < LENGTH) {
            return Drop.BAD_LENGTH;
        }
        int first = in.getUnsignedByte(at);
        int flags = in.getUnsignedByte(at + 1);
        int length = in.getUnsignedByte(at + 3);
        if (first >>> 5 != VERSION) {
            return Drop.BAD_VERSION;
        }
        if (length < ((flags & AUTH) != 0 ? AUTH_MIN_LENGTH : LENGTH) || length > payload) {
            return Drop.BAD_LENGTH;
        }
        if (in.getUnsignedByte(at + 2) == 0) {
            return Drop.ZERO_DETECT_MULT;
        }
        if ((flags & MULTIPOINT) != 0) {
            return Drop.MULTIPOINT;
        }
        if (in.getInt(at + 4) == 0) {
            return Drop.ZERO_MY_DISCRIMINATOR;
        }
        if ((flags & (POLL | FINAL)) == (POLL | FINAL)) {
            return Drop.POLL_AND_FINAL;
        }
        if ((flags & AUTH) != 0) {
            return Drop.AUTHENTICATION;
        }
        return null;
    }

    /** Reads a packet that {@link #check} accepted; bytes past its Length are ignored. */
    static ControlPacket decode(ByteBuf in) {
        int at = in.readerIndex();
        int flags = in.getUnsignedByte(at + 1);
        return new ControlPacket(
                in.getUnsignedByte(at) & 0x1f,
                SessionState.ofCode(flags >>> 6),
                (flags & POLL) != 0,
                (flags & FINAL) != 0,
                (flags & CPI) != 0,
                (flags & DEMAND) != 0,
                in.getUnsignedByte(at + 2),
                in.getInt(at + 4),
                in.getInt(at + 8),
                in.getUnsignedInt(at + 12),
                in.getUnsignedInt(at + 16),
                in.getUnsignedInt(at + 20));
    }
}
