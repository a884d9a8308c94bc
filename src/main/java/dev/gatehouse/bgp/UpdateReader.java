package dev.gatehouse.bgp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Checks a received UPDATE (RFC 4271 section 6.3) and counts its prefixes. This speaker keeps no RIB, so nothing
 * else is read; the checks are the ones whose faults RFC 4271 answers with a NOTIFICATION.
 */
final class UpdateReader {

    static final int ORIGIN = 1;
    static final int AS_PATH = 2;
    static final int NEXT_HOP = 3;
    static final int MULTI_EXIT_DISC = 4;
    static final int LOCAL_PREF = 5;
    static final int ATOMIC_AGGREGATE = 6;
    static final int AGGREGATOR = 7;
    static final int COMMUNITIES = 8;
    static final int MP_REACH_NLRI = 14;
    static final int MP_UNREACH_NLRI = 15;

    static final int OPTIONAL = 0x80;
    static final int TRANSITIVE = 0x40;
    static final int PARTIAL = 0x20;
    static final int EXTENDED_LENGTH = 0x10;

    private UpdateReader() {}

    static ReceivedUpdate read(ByteBuf body) throws MessageError {
        int withdrawnLength = body.readUnsignedShort();
        if (withdrawnLength + 2 > body.readableBytes()) {
            throw malformedList("withdrawn routes length " + withdrawnLength + " overruns the message");
        }
        int withdrawn = prefixes(body.readSlice(withdrawnLength), AddressFamily.IPV4_UNICAST,
                Notification.UPDATE_ERROR, Notification.INVALID_NETWORK_FIELD);
        int attributesLength = body.readUnsignedShort();
        if (attributesLength > body.readableBytes()) {
            throw malformedList("total path attribute length " + attributesLength + " overruns the message");
        }
        ByteBuf attributes = body.readSlice(attributesLength);
        int announced = prefixes(body, AddressFamily.IPV4_UNICAST, Notification.UPDATE_ERROR,
                Notification.INVALID_NETWORK_FIELD);
        long seen = 0; // bit per attribute type below 64; a duplicate is an error
        int[] mp = new int[2];
        while (attributes.isReadable()) {
            int start = attributes.readerIndex();
            if (attributes.readableBytes() < 3) {
                throw malformedList("a truncated attribute header");
            }
            int flags = attributes.readUnsignedByte();
            int type = attributes.readUnsignedByte();
            boolean extended = (flags & EXTENDED_LENGTH) != 0;
            if (extended && attributes.readableBytes() < 2) {
                throw malformedList("a truncated attribute header");
            }
            int length = extended ? attributes.readUnsignedShort() : attributes.readUnsignedByte();
            if (length > attributes.readableBytes()) {
                throw attributeError(Notification.ATTRIBUTE_LENGTH_ERROR, attributes, start, attributes.readableBytes(),
                        "attribute " + type + " of length " + length + " overruns the attribute list");
            }
            ByteBuf value = attributes.readSlice(length);
            if (type < 64) {
                if ((seen & 1L << type) != 0) {
                    throw malformedList("attribute " + type + " appears twice");
                }
                seen |= 1L << type;
            }
            checkAttribute(flags, type, value, attributes, start, mp);
        }
        boolean reach = (seen & 1L << MP_REACH_NLRI) != 0;
        if (announced > 0 || reach) {
            requirePresent(seen, ORIGIN);
            requirePresent(seen, AS_PATH);
        }
        if (announced > 0) {
            requirePresent(seen, NEXT_HOP);
        }
        return new ReceivedUpdate(announced + mp[0], withdrawn + mp[1]);
    }

    private static void checkAttribute(int flags, int type, ByteBuf value, ByteBuf list, int start, int[] mp)
            throws MessageError {
        int expectedFlags = switch (type) {
            case ORIGIN, AS_PATH, NEXT_HOP, LOCAL_PREF, ATOMIC_AGGREGATE -> TRANSITIVE;
            case MULTI_EXIT_DISC, MP_REACH_NLRI, MP_UNREACH_NLRI -> OPTIONAL;
            case AGGREGATOR, COMMUNITIES -> OPTIONAL | TRANSITIVE;
            default -> -1;
        };
        if (expectedFlags < 0) {
            if ((flags & OPTIONAL) == 0) {
                throw attributeError(Notification.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE, list, start, value.capacity(),
                        "unknown well-known attribute " + type);
            }
            return; // an unknown optional attribute: ignored (nothing here passes routes on)
        }
        // the partial bit is legal only on optional transitive attributes
        int partialAllowed = expectedFlags == (OPTIONAL | TRANSITIVE) ? PARTIAL : 0;
        if ((flags & (OPTIONAL | TRANSITIVE)) != expectedFlags || (flags & PARTIAL & ~partialAllowed) != 0) {
            throw attributeError(Notification.ATTRIBUTE_FLAGS_ERROR, list, start, value.capacity(),
                    "attribute " + type + " with flags 0x" + Integer.toHexString(flags));
        }
        int length = value.readableBytes();
        int fixed = switch (type) {
            case ORIGIN -> 1;
            case NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF -> 4;
            case ATOMIC_AGGREGATE -> 0;
            case AGGREGATOR -> 8; // a 4-octet AS session
            default -> -1;
        };
        if (fixed >= 0 && length != fixed) {
            throw attributeError(Notification.ATTRIBUTE_LENGTH_ERROR, list, start, length,
                    "attribute " + type + " of length " + length + ", expected " + fixed);
        }
        switch (type) {
            case ORIGIN -> {
                if (value.getUnsignedByte(value.readerIndex()) > 2) {
                    throw attributeError(Notification.INVALID_ORIGIN, list, start, length, "ORIGIN "
                            + value.getUnsignedByte(value.readerIndex()));
                }
            }
            case NEXT_HOP -> {
                int first = value.getUnsignedByte(value.readerIndex());
                long address = value.getUnsignedInt(value.readerIndex());
                if (address == 0 || address == 0xFFFFFFFFL || (first >= 224 && first < 240)) {
                    throw attributeError(Notification.INVALID_NEXT_HOP, list, start, length, "NEXT_HOP not a unicast address");
                }
            }
            case AS_PATH -> asPath(value);
            case COMMUNITIES -> {
                if (length == 0 || length % 4 != 0) {
                    throw attributeError(Notification.OPTIONAL_ATTRIBUTE_ERROR, list, start, length,
                            "COMMUNITIES of length " + length);
                }
            }
            case MP_REACH_NLRI -> mp[0] += multiprotocol(value, true, list, start);
            case MP_UNREACH_NLRI -> mp[1] += multiprotocol(value, false, list, start);
            default -> { }
        }
    }

    /** Segments of type 1-4, each with at least one 4-octet AS, exactly filling the attribute. */
    private static void asPath(ByteBuf value) throws MessageError {
        while (value.isReadable()) {
            if (value.readableBytes() < 2) {
                throw new MessageError(Notification.UPDATE_ERROR, Notification.MALFORMED_AS_PATH, "a truncated segment");
            }
            int segmentType = value.readUnsignedByte();
            int count = value.readUnsignedByte();
            if (segmentType < 1 || segmentType > 4 || count == 0 || count * 4 > value.readableBytes()) {
                throw new MessageError(Notification.UPDATE_ERROR, Notification.MALFORMED_AS_PATH,
                        "segment type " + segmentType + " with " + count + " ASes");
            }
            value.skipBytes(count * 4);
        }
    }

    /** Checks MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760) and counts its prefixes; unknown families are skipped. */
    private static int multiprotocol(ByteBuf value, boolean reach, ByteBuf list, int start) throws MessageError {
        int length = value.readableBytes();
        if (length < (reach ? 5 : 3)) {
            throw attributeError(Notification.OPTIONAL_ATTRIBUTE_ERROR, list, start, length,
                    (reach ? "MP_REACH_NLRI" : "MP_UNREACH_NLRI") + " of length " + length);
        }
        AddressFamily family = AddressFamily.of(value.readUnsignedShort(), value.readUnsignedByte());
        if (reach) {
            int nextHopLength = value.readUnsignedByte();
            if (nextHopLength + 1 > value.readableBytes()) {
                throw attributeError(Notification.OPTIONAL_ATTRIBUTE_ERROR, list, start, length,
                        "MP_REACH_NLRI next hop of length " + nextHopLength + " overruns it");
            }
            value.skipBytes(nextHopLength + 1); // and the reserved octet
        }
        if (family == null) {
            return 0;
        }
        return prefixes(value, family, Notification.UPDATE_ERROR, Notification.OPTIONAL_ATTRIBUTE_ERROR);
    }

    /** Counts the prefixes that exactly fill {@code field}; a bad length or overrun is {@code code/subcode}. */
    private static int prefixes(ByteBuf field, AddressFamily family, int code, int subcode) throws MessageError {
        int count = 0;
        while (field.isReadable()) {
            int bits = field.readUnsignedByte();
            int octets = (bits + 7) / 8;
            if (bits > family.bits || octets > field.readableBytes()) {
                throw new MessageError(code, subcode, "prefix length " + bits + " in " + family);
            }
            field.skipBytes(octets);
            count++;
        }
        return count;
    }

    private static void requirePresent(long seen, int type) throws MessageError {
        if ((seen & 1L << type) == 0) {
            throw new MessageError(Notification.UPDATE_ERROR, Notification.MISSING_WELL_KNOWN_ATTRIBUTE,
                    new byte[] {(byte) type}, "missing well-known attribute " + type);
        }
    }

    private static MessageError malformedList(String detail) {
        return new MessageError(Notification.UPDATE_ERROR, Notification.MALFORMED_ATTRIBUTE_LIST, detail);
    }

    /** RFC 4271: the data of an attribute error is the whole attribute, header included. */
    private static MessageError attributeError(int subcode, ByteBuf list, int start, int valueLength, String detail) {
        int headerLength = (list.getUnsignedByte(start) & EXTENDED_LENGTH) != 0 ? 4 : 3;
        byte[] data = ByteBufUtil.getBytes(list, start, headerLength + valueLength);
        return new MessageError(Notification.UPDATE_ERROR, subcode, data, detail);
    }
}
