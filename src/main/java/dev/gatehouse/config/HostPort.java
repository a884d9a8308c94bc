package dev.gatehouse.config;

import java.net.InetSocketAddress;

/** A host (IP literal or name) and a port, as written in config: {@code 127.0.0.1:9001}. */
public record HostPort(String host, int port) {

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
