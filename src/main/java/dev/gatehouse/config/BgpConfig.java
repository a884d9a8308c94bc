package dev.gatehouse.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code node.bgp}: this node's BGP speaker. Node-local, as router id and peers differ per node.
 *
 * @param gracefulShutdown how long a planned withdrawal announces the route with GRACEFUL_SHUTDOWN (RFC 8326)
 *     before withdrawing it
 */
public record BgpConfig(long localAs, String routerId, List<Peer> peers, Duration gracefulShutdown) {

    public static final Duration DEFAULT_HOLD_TIME = Duration.ofSeconds(90);
    public static final Duration DEFAULT_GRACEFUL_SHUTDOWN = Duration.ofSeconds(5);

    public BgpConfig {
        peers = List.copyOf(peers);
    }

    /**
     * One BGP neighbour. {@code md5Key} is the TCP-MD5 key read from {@code password_file}, or null; {@code bfd} the
     * BFD session run beside it, or null.
     */
    public record Peer(String address, long as, int port, Duration holdTime, String md5Key, Bfd bfd) {

        @Override
        public String toString() {
            return "Peer[" + address + ":" + port + " AS" + as + (md5Key == null ? "" : " md5")
                    + (bfd == null ? "" : " bfd " + bfd.interval().toMillis() + "ms x" + bfd.multiplier()) + "]";
        }
    }

    /** {@code peers[].bfd}: single-hop BFD to the peer, sending every {@code interval}, down after {@code multiplier} missed. */
    public record Bfd(Duration interval, int multiplier) {}
}
