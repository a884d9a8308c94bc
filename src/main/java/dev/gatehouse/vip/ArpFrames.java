package dev.gatehouse.vip;

import java.util.Arrays;

/** The ARP packets (RFC 826, Ethernet and IPv4) a VIP driver sends itself, and the one question it asks of those it reads. */
final class ArpFrames {

    /** Hardware type, protocol type, their lengths, operation: 8 bytes; then sender MAC/IP, target MAC/IP. */
    static final int LENGTH = 28;
    private static final int REQUEST = 1;
    private static final int REPLY = 2;

    private ArpFrames() {}

    /**
     * A duplicate-address probe (RFC 5227): a request for {@code ipv4} from 0.0.0.0, which changes no one's ARP cache
     * and draws a reply from any host that holds the address.
     */
    static byte[] probe(byte[] mac, byte[] ipv4) {
        return packet(REQUEST, mac, new byte[4], ipv4);
    }

    /** A gratuitous request ({@code arping -U}): {@code ipv4} is at {@code mac}, for every neighbour's cache. */
    static byte[] announcement(byte[] mac, byte[] ipv4) {
        return packet(REQUEST, mac, ipv4, ipv4);
    }

    /**
     * Whether {@code packet} says another host holds {@code ipv4}: a reply or a request whose sender address is it,
     * from a hardware address that is not {@code ownMac}.
     */
    static boolean claims(byte[] packet, int length, byte[] ipv4, byte[] ownMac) {
        if (length < LENGTH || packet[0] != 0 || packet[1] != 1 || packet[2] != 0x08 || packet[3] != 0
                || packet[4] != 6 || packet[5] != 4) {
            return false;
        }
        int operation = ((packet[6] & 0xff) << 8) | (packet[7] & 0xff);
        if (operation != REQUEST && operation != REPLY) {
            return false;
        }
        return Arrays.equals(packet, 14, 18, ipv4, 0, 4) && !Arrays.equals(packet, 8, 14, ownMac, 0, 6);
    }

    private static byte[] packet(int operation, byte[] mac, byte[] senderIp, byte[] targetIp) {
        if (mac.length != 6 || senderIp.length != 4 || targetIp.length != 4) {
            throw new IllegalArgumentException("ARP for Ethernet and IPv4 only");
        }
        byte[] p = new byte[LENGTH];
        p[1] = 1; // Ethernet
        p[2] = 0x08; // IPv4
        p[4] = 6;
        p[5] = 4;
        p[7] = (byte) operation;
        System.arraycopy(mac, 0, p, 8, 6);
        System.arraycopy(senderIp, 0, p, 14, 4);
        // target hardware address stays zero
        System.arraycopy(targetIp, 0, p, 24, 4);
        return p;
    }
}
