package dev.gatehouse.bgp;

import java.net.InetAddress;

/**
 * What a session adds to each route it announces: its AS path (this AS, or empty towards an iBGP peer, which then
 * also gets LOCAL_PREF), and its next hops, one per address family (the IPv6 one may be IPv4-mapped).
 */
record PathAttributes(long localAs, boolean internal, InetAddress nextHop4, InetAddress nextHop6) {

    static final int DEFAULT_LOCAL_PREF = 100;
}
