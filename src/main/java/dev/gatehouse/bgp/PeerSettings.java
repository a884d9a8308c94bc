package dev.gatehouse.bgp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * One session's configuration: this speaker's AS and identifier, the peer's address, port and AS, the hold time this
 * speaker proposes (0, or 3-65535 seconds), the TCP-MD5 key (null: none) and the address the connection comes from
 * (null: the kernel's choice), which is also the next hop announced, and the BFD session's timers (null: no BFD).
 */
public record PeerSettings(long localAs, Inet4Address routerId, InetAddress address, int port, long peerAs,
        int holdTimeSeconds, byte[] md5Key, InetAddress localAddress, BfdTimers bfd) {

    public static final int DEFAULT_PORT = 179;
    /** RFC 4271: a hold time is 0 (no keepalives) or at least 3 seconds. */
    public static final int MIN_HOLD_TIME = 3;

    public PeerSettings {
        Objects.requireNonNull(routerId, "routerId");
        Objects.requireNonNull(address, "address");
        if (localAs < 1 || localAs > 0xFFFFFFFFL || peerAs < 1 || peerAs > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("AS numbers must be 1-4294967295, were " + localAs + " and " + peerAs);
        }
        if (holdTimeSeconds != 0 && (holdTimeSeconds < MIN_HOLD_TIME || holdTimeSeconds > 0xFFFF)) {
            throw new IllegalArgumentException("hold time must be 0 or 3-65535 s, was " + holdTimeSeconds);
        }
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 1-65535, was " + port);
        }
        md5Key = md5Key == null ? null : md5Key.clone();
    }

    public PeerSettings(long localAs, Inet4Address routerId, InetAddress address, int port, long peerAs,
            int holdTimeSeconds, byte[] md5Key, InetAddress localAddress) {
        this(localAs, routerId, address, port, peerAs, holdTimeSeconds, md5Key, localAddress, null);
    }

    public PeerSettings(long localAs, Inet4Address routerId, InetAddress address, int port, long peerAs,
            int holdTimeSeconds, byte[] md5Key) {
        this(localAs, routerId, address, port, peerAs, holdTimeSeconds, md5Key, null);
    }

    @Override
    public byte[] md5Key() {
        return md5Key == null ? null : md5Key.clone();
    }

    boolean internal() {
        return localAs == peerAs;
    }

    /** "address:port AS n", for logs and status. */
    String label() {
        String host = address instanceof java.net.Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
        return host + (port == DEFAULT_PORT ? "" : ":" + port) + " AS" + peerAs;
    }
}
