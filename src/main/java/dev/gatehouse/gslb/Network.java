package dev.gatehouse.gslb;

import java.net.InetAddress;

/** An IPv4 or IPv6 network (a CIDR block from config), matched against client addresses without allocating. */
record Network(byte[] address, int prefix) {

    static Network parse(String cidr) {
        int slash = cidr.indexOf('/');
        return new Network(InetAddress.ofLiteral(cidr.substring(0, slash)).getAddress(), Integer.parseInt(cidr.substring(slash + 1)));
    }

    boolean contains(byte[] ip) {
        return ip.length == address.length && commonPrefix(ip, address, prefix) >= prefix;
    }

    /** How many leading bits {@code a} and {@code b} share, up to {@code limit}. */
    static int commonPrefix(byte[] a, byte[] b, int limit) {
        int bits = 0;
        for (int i = 0; i < a.length && bits < limit; i++) {
            int diff = (a[i] ^ b[i]) & 0xFF;
            if (diff != 0) {
                return Math.min(limit, bits + Integer.numberOfLeadingZeros(diff) - 24);
            }
            bits += 8;
        }
        return Math.min(limit, bits);
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(address).getHostAddress() + "/" + prefix;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
