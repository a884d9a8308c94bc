package dev.gatehouse.bgp;

/** The AFI/SAFI pairs this speaker announces in (RFC 4760): unicast IPv4 and IPv6. */
public enum AddressFamily {
    IPV4_UNICAST(1, 1, 32),
    IPV6_UNICAST(2, 1, 128);

    final int afi;
    final int safi;
    /** Bits of an address, the longest prefix. */
    final int bits;

    AddressFamily(int afi, int safi, int bits) {
        this.afi = afi;
        this.safi = safi;
        this.bits = bits;
    }

    /** The family of this AFI/SAFI, or null when this speaker does not know it. */
    static AddressFamily of(int afi, int safi) {
        for (AddressFamily f : values()) {
            if (f.afi == afi && f.safi == safi) {
                return f;
            }
        }
        return null;
    }
}
