package dev.gatehouse.config;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The sockets a config binds (listeners, the DNS server, the admin API), so that two of them asking for the
 * same address, or one a wildcard address and another the same port, is an error before anything binds.
 */
final class BindTable {

    private record Claim(HostPort address, String owner, int line) {}

    private final List<Claim> claims = new ArrayList<>();

    /** Records {@code address} for {@code owner}, or an error at {@code at} when an earlier claim conflicts. */
    void claim(HostPort address, String owner, YamlNode at) {
        if (address.port() == 0) {
            return; // ephemeral: the kernel hands each bind its own port
        }
        for (Claim earlier : claims) {
            if (conflicts(earlier.address, address)) {
                at.error("address " + address + " is already bound by " + earlier.owner + " (line " + earlier.line + ")");
                return;
            }
        }
        claims.add(new Claim(address, owner, at.line()));
    }

    private static boolean conflicts(HostPort a, HostPort b) {
        return a.port() == b.port()
                && (a.host().equalsIgnoreCase(b.host()) || isWildcard(a.host()) || isWildcard(b.host()));
    }

    private static boolean isWildcard(String host) {
        try {
            return InetAddress.ofLiteral(host).isAnyLocalAddress();
        } catch (IllegalArgumentException notALiteral) {
            return false; // a name: never the wildcard address
        }
    }
}
