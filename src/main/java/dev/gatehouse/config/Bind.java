package dev.gatehouse.config;

/**
 * Where a listener binds: a plain address ({@code 127.0.0.1:8080}) or a port on a cluster VIP
 * ({@code vip:front:80}, bound only while this node owns the VIP named {@code front}).
 *
 * @param vip the VIP name, or null for a plain address
 * @param address the address for a plain bind, or null for a VIP bind
 */
public record Bind(String vip, HostPort address, int port) {

    public static Bind plain(HostPort address) {
        return new Bind(null, address, address.port());
    }

    public static Bind onVip(String vip, int port) {
        return new Bind(vip, null, port);
    }

    public boolean isVip() {
        return vip != null;
    }

    @Override
    public String toString() {
        return isVip() ? "vip:" + vip + ":" + port : address.toString();
    }
}
