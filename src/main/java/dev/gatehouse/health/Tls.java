package dev.gatehouse.health;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/** TLS for health checks, which judge whether a target serves, not whom it proves to be (see {@link ActiveChecker#https}). */
final class Tls {

    static final SSLSocketFactory UNVERIFIED = unverified();

    private Tls() {}

    private static SSLSocketFactory unverified() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK offers no TLS", e);
        }
    }
}
