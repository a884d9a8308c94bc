package dev.gatehouse.bgp;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads messages off the wire and checks them as RFC 4271 section 6 says, naming in a {@link MessageError} the
 * NOTIFICATION each fault calls for. UPDATEs are checked by {@link UpdateReader}.
 */
final class MessageReader {

    static final int HEADER_LENGTH = 19;
    static final int MARKER_LENGTH = 16;
    static final int MAX_LENGTH = 4096;
    private static final int MIN_OPEN = 29;
    private static final int MIN_UPDATE = 23;
    private static final int MIN_NOTIFICATION = 21;
    private static final int CAPABILITIES_PARAMETER = 2;
    static final int CAPABILITY_MULTIPROTOCOL = 1;
    static final int CAPABILITY_FOUR_OCTET_AS = 65;

    private MessageReader() {}

    /**
     * Checks the header at the reader index of {@code in} (at least {@link #HEADER_LENGTH} readable) without moving
     * it, and returns the message's whole length.
     */
    static int frameLength(ByteBuf in) throws MessageError {
        int at = in.readerIndex();
        for (int i = 0; i < MARKER_LENGTH; i++) {
            if (in.getByte(at + i) != (byte) 0xFF) {
                throw new MessageError(Notification.HEADER_ERROR, Notification.CONNECTION_NOT_SYNCHRONIZED,
                        "marker is not all ones");
            }
        }
        int length = in.getUnsignedShort(at + MARKER_LENGTH);
        int type = in.getUnsignedByte(at + MARKER_LENGTH + 2);
        int min = switch (type) {
            case BgpMessage.OPEN -> MIN_OPEN;
            case BgpMessage.UPDATE -> MIN_UPDATE;
            case BgpMessage.NOTIFICATION -> MIN_NOTIFICATION;
            case BgpMessage.KEEPALIVE -> HEADER_LENGTH;
            default -> -1;
        };
        if (length < HEADER_LENGTH || length > MAX_LENGTH || (min > 0 && length < min)
                || (type == BgpMessage.KEEPALIVE && length != HEADER_LENGTH)) {
            throw new MessageError(Notification.HEADER_ERROR, Notification.BAD_MESSAGE_LENGTH,
                    new byte[] {(byte) (length >> 8), (byte) length}, "length " + length + " for type " + type);
        }
        if (min < 0) {
            throw new MessageError(Notification.HEADER_ERROR, Notification.BAD_MESSAGE_TYPE, new byte[] {(byte) type},
                    "unknown message type " + type);
        }
        return length;
    }

    /** Reads one whole message (header included, already checked by {@link #frameLength}). */
    static BgpMessage read(ByteBuf frame) throws MessageError {
        int type = frame.getUnsignedByte(frame.readerIndex() + MARKER_LENGTH + 2);
        ByteBuf body = frame.slice(frame.readerIndex() + HEADER_LENGTH, frame.readableBytes() - HEADER_LENGTH);
        return switch (type) {
            case BgpMessage.OPEN -> open(body);
            case BgpMessage.UPDATE -> UpdateReader.read(body);
            case BgpMessage.NOTIFICATION -> notification(body);
            default -> Keepalive.INSTANCE;
        };
    }

    private static Notification notification(ByteBuf body) {
        int code = body.readUnsignedByte();
        int subcode = body.readUnsignedByte();
        byte[] data = new byte[body.readableBytes()];
        body.readBytes(data);
        return new Notification(code, subcode, data);
    }

    private static Open open(ByteBuf body) throws MessageError {
        int version = body.readUnsignedByte();
        if (version != Open.VERSION) {
            throw new MessageError(Notification.OPEN_ERROR, Notification.UNSUPPORTED_VERSION,
                    new byte[] {0, Open.VERSION}, "version " + version);
        }
        int myAs = body.readUnsignedShort();
        int holdTime = body.readUnsignedShort();
        byte[] id = new byte[4];
        body.readBytes(id);
        int paramsLength = body.readUnsignedByte();
        if (paramsLength != body.readableBytes()) {
            throw new MessageError(Notification.HEADER_ERROR, Notification.BAD_MESSAGE_LENGTH,
                    new byte[] {(byte) ((body.capacity() + HEADER_LENGTH) >> 8), (byte) (body.capacity() + HEADER_LENGTH)},
                    "optional parameters length " + paramsLength + " but " + body.readableBytes() + " octets follow");
        }
        long fourOctetAs = -1;
        Set<AddressFamily> families = EnumSet.noneOf(AddressFamily.class);
        boolean multiprotocol = false;
        while (body.isReadable()) {
            if (body.readableBytes() < 2) {
                throw malformedOpen("a truncated optional parameter");
            }
            int type = body.readUnsignedByte();
            int length = body.readUnsignedByte();
            if (length > body.readableBytes()) {
                throw malformedOpen("optional parameter " + type + " overruns the message");
            }
            ByteBuf param = body.readSlice(length);
            if (type != CAPABILITIES_PARAMETER) {
                throw new MessageError(Notification.OPEN_ERROR, Notification.UNSUPPORTED_OPTIONAL_PARAMETER,
                        "optional parameter type " + type);
            }
            while (param.isReadable()) {
                if (param.readableBytes() < 2) {
                    throw malformedOpen("a truncated capability");
                }
                int code = param.readUnsignedByte();
                int capLength = param.readUnsignedByte();
                if (capLength > param.readableBytes()) {
                    throw malformedOpen("capability " + code + " overruns its parameter");
                }
                ByteBuf value = param.readSlice(capLength);
                if (code == CAPABILITY_FOUR_OCTET_AS) {
                    if (capLength != 4) {
                        throw malformedOpen("4-octet AS capability of length " + capLength);
                    }
                    fourOctetAs = value.readUnsignedInt();
                } else if (code == CAPABILITY_MULTIPROTOCOL) {
                    if (capLength != 4) {
                        throw malformedOpen("multiprotocol capability of length " + capLength);
                    }
                    multiprotocol = true;
                    AddressFamily family = AddressFamily.of(value.readUnsignedShort(), value.getUnsignedByte(value.readerIndex() + 1));
                    if (family != null) {
                        families.add(family);
                    }
                }
                // RFC 5492: a capability this speaker does not know is ignored
            }
        }
        return new Open(version, myAs, holdTime, identifier(id), fourOctetAs, families, multiprotocol);
    }

    /** RFC 5492 leaves a malformed capability to the OPEN error with no better subcode: 2/0. */
    private static MessageError malformedOpen(String detail) {
        return new MessageError(Notification.OPEN_ERROR, 0, detail);
    }

    private static Inet4Address identifier(byte[] id) {
        try {
            return (Inet4Address) InetAddress.getByAddress(id);
        } catch (UnknownHostException e) {
            throw new AssertionError("four octets are always an address", e);
        }
    }
}
