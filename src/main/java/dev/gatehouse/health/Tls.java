package dev.gatehouse.health;

import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.tls.UpstreamTls;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** How a check's connection is wrapped in TLS: the handshake done on a connected socket, or an IOException saying why not. */
@FunctionalInterface
interface Tls {

    /**
     * Unverified, SNI from the check's host: for targets that are judged on whether they serve, not whom they prove to
     * be (see {@link ActiveChecker#https}).
     */
    Tls UNVERIFIED = unverified();

    /** @param host the check's {@code host}, null when it has none */
    Socket handshake(Socket plain, Endpoint endpoint, String host) throws IOException;

    /** As the pool's data plane does it: the same trust, server name and client certificate. */
    static Tls of(UpstreamTls pool) {
        return (plain, endpoint, host) -> pool.handshake(plain, endpoint.config().address().host(), endpoint.config().address().port());
    }

    private static Tls unverified() {
        SSLSocketFactory factory;
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
            factory = context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK offers no TLS", e);
        }
        return (plain, endpoint, host) -> {
            String name = host != null ? host : endpoint.socketAddress().getHostString();
            SSLSocket socket = (SSLSocket) factory.createSocket(plain, name, endpoint.socketAddress().getPort(), true);
            socket.startHandshake();
            return socket;
        };
    }
}
