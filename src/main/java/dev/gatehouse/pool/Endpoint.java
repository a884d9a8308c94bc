package dev.gatehouse.pool;

import dev.gatehouse.balance.Target;
import dev.gatehouse.config.EndpointConfig;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend of a pool: its identity from config and the live counters the data plane keeps.
 * The same address in the same pool yields the same {@link #key()} on every node, so hashing and
 * sticky cookies choose the same backend wherever a request lands.
 */
public final class Endpoint implements Target {

    private final String pool;
    private final int index;
    private final EndpointConfig config;
    private final InetSocketAddress socketAddress;
    private final String address;
    private final long key;
    private final AtomicInteger activeRequests = new AtomicInteger();
    private final ChannelGroup connections;

    public Endpoint(String pool, int index, EndpointConfig config) {
        this.pool = pool;
        this.index = index;
        this.config = config;
        this.socketAddress = config.address().socketAddress();
        this.address = config.address().toString();
        this.key = stableKey(address);
        this.connections = new DefaultChannelGroup(pool + "/" + config.address(), GlobalEventExecutor.INSTANCE);
    }

    public String pool() {
        return pool;
    }

    /** Position in the pool's configured list. */
    public int index() {
        return index;
    }

    public EndpointConfig config() {
        return config;
    }

    /** {@code host:port} as configured. */
    @Override
    public String address() {
        return address;
    }

    public InetSocketAddress socketAddress() {
        return socketAddress;
    }

    public int weight() {
        return config.weight();
    }

    public String zone() {
        return config.zone();
    }

    /** A 64-bit identity derived from the address only: equal on every node for the same config. */
    @Override
    public long key() {
        return key;
    }

    /** Requests (HTTP) or connections (TCP) currently in flight to this endpoint. */
    public AtomicInteger activeRequests() {
        return activeRequests;
    }

    @Override
    public int inFlight() {
        return activeRequests.get();
    }

    /** Open upstream connections to this endpoint; closed ones leave the group by themselves. */
    public ChannelGroup connections() {
        return connections;
    }

    @Override
    public String toString() {
        return pool + "/" + address();
    }

    /** FNV-1a over the UTF-8 address, then a 64-bit finaliser so close addresses spread apart. */
    static long stableKey(String address) {
        long h = 0xcbf29ce484222325L;
        for (byte b : address.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
