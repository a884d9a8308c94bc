package dev.gatehouse.limit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The key a client IP is tracked under. An IPv4 address is its 32 bits, read without allocating. An IPv6 address is
 * hashed to 64 bits with a per-process random seed: its hash code sums the address's words, so a client holding a
 * /64 could otherwise choose thousands of addresses that share one hash bucket. IPv6 keys have the top bit set, so
 * they never equal an IPv4 key.
 *
 * <p>This is a key for this node's table of clients, not the source-address hash that balancers and stick tables go
 * by ({@code HashKeys.of(InetAddress)}): it never leaves the process (usage is exchanged by address), so its IPv6
 * seed can be per process, and an IPv4 key is the address itself, so two clients never share limits.
 */
final class ClientKeys {

    private static final long SEED = ThreadLocalRandom.current().nextLong();
    private static final long IPV6 = Long.MIN_VALUE;

    private ClientKeys() {}

    static long of(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            // Inet4Address.hashCode() is its address; getAddress() would copy it into a new array.
            return v4.hashCode() & 0xFFFF_FFFFL;
        }
        byte[] b = address.getAddress();
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = hi << 8 | (b[i] & 0xFF);
            lo = lo << 8 | (b[i + 8] & 0xFF);
        }
        return mix(mix(hi ^ SEED) ^ lo) | IPV6;
    }

    /** A 64-bit finaliser: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
