package dev.gatehouse.bgp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/** A host route this speaker announces: a /32 for an IPv4 address, a /128 for IPv6, with its communities. */
public record Route(InetAddress address, List<Community> communities) {

    public Route {
        Objects.requireNonNull(address, "address");
        communities = List.copyOf(communities);
    }

    AddressFamily family() {
        return address instanceof Inet4Address ? AddressFamily.IPV4_UNICAST : AddressFamily.IPV6_UNICAST;
    }

    /** The same route with {@code extra} added (once). */
    public Route with(Community extra) {
        if (communities.contains(extra)) {
            return this;
        }
        List<Community> more = new java.util.ArrayList<>(communities);
        more.add(extra);
        return new Route(address, more);
    }

    /** The host prefix, e.g. {@code 198.51.100.10/32}. */
    public String prefix() {
        return address.getHostAddress() + "/" + family().bits;
    }

    @Override
    public String toString() {
        return prefix() + (communities.isEmpty() ? "" : " " + communities);
    }
}
