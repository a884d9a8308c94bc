package dev.gatehouse.bgp;

import java.net.Inet4Address;
import java.util.Set;

/**
 * An OPEN (RFC 4271 section 4.2) with the capabilities this speaker reads (RFC 5492): 4-octet AS (RFC 6793) and
 * multiprotocol address families (RFC 4760).
 *
 * @param myAs the 2-octet My Autonomous System field (AS_TRANS when the real AS needs 4 octets)
 * @param fourOctetAs the AS from the 4-octet AS capability, or -1 when the peer sent none
 * @param families the AFI/SAFI pairs of its multiprotocol capabilities; empty when it sent none
 * @param multiprotocol whether it sent any multiprotocol capability (without one, IPv4 unicast is implied)
 */
public record Open(int version, int myAs, int holdTime, Inet4Address identifier, long fourOctetAs,
        Set<AddressFamily> families, boolean multiprotocol) implements BgpMessage {

    public static final int VERSION = 4;
    /** RFC 6793: the 2-octet placeholder for an AS that does not fit. */
    public static final int AS_TRANS = 23456;

    public Open {
        families = Set.copyOf(families);
    }

    /** The AS the peer says it is in: its 4-octet capability when sent, else the 2-octet field. */
    long peerAs() {
        return fourOctetAs >= 0 ? fourOctetAs : myAs;
    }

    /** Whether the peer takes routes of {@code family} from this speaker's OPEN. */
    boolean supports(AddressFamily family) {
        return multiprotocol ? families.contains(family) : family == AddressFamily.IPV4_UNICAST;
    }
}
