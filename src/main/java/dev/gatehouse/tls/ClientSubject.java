package dev.gatehouse.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;

/** The subject of the certificate a client presented and TLS verified, as the backend gets it. */
public final class ClientSubject {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private ClientSubject() {}

    /**
     * The subject of the client's verified certificate on {@code ch} (RFC 2253, header-safe: see {@link #headerSafe}), or
     * null when its listener asks for none or the client sent none. Read once a connection, after its handshake.
     */
    public static String of(Channel ch) {
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return null;
        }
        SSLEngine engine = ssl.engine();
        if (!engine.getNeedClientAuth() && !engine.getWantClientAuth()) {
            return null; // the listener asked for no certificate: asking the session would only throw
        }
        Certificate[] chain;
        try {
            chain = engine.getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return null; // verify_client optional, and this client sent none
        }
        return chain.length > 0 && chain[0] instanceof X509Certificate leaf
                ? headerSafe(leaf.getSubjectX500Principal().getName(X500Principal.RFC2253))
                : null;
    }

    /** {@code dn} with '%' and every character outside printable ASCII percent-encoded (its UTF-8 bytes). */
    static String headerSafe(String dn) {
        StringBuilder out = new StringBuilder(dn.length());
        for (byte b : dn.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }
}
