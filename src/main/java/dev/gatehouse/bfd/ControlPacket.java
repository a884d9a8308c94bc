package dev.gatehouse.bfd;

/**
 * A BFD Control packet without authentication (RFC 5880 §4.1). Intervals are in microseconds, as on the wire
 * (unsigned 32-bit values, hence longs); discriminators are the raw 32-bit values. The A and M bits are absent:
 * this implementation never sets them and drops every packet that does (see {@link ControlPacketCodec}).
 *
 * @param diag the Diag field as received (0–31; {@link Diagnostic#ofCode} names the defined ones)
 */
record ControlPacket(
        int diag,
        SessionState state,
        boolean poll,
        boolean fin,
        boolean controlPlaneIndependent,
        boolean demand,
        int detectMult,
        int myDiscriminator,
        int yourDiscriminator,
        long desiredMinTxMicros,
        long requiredMinRxMicros,
        long requiredMinEchoRxMicros) {
}
