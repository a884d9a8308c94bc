package dev.gatehouse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports for config files that must name one up front (cluster members, VIP listeners): free when asked. */
public final class FreePorts {

    private FreePorts() {}

    /** A cluster port whose fence port (+1000) is free too. */
    public static int cluster(String host) {
        for (int i = 0; i < 50; i++) {
            int port = on(host) - 1000;
            if (port > 1024 && free(host, port)) {
                return port;
            }
        }
        throw new IllegalStateException("no cluster port with a free fence port on " + host);
    }

    private static boolean free(String host, int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(host))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static int on(String host) {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
