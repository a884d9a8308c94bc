package dev.gatehouse.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Reads the client's ClientHello, picks the certificate for the host it names and replaces itself with the
 * {@link SslHandler} of that certificate's context. With the JDK provider the key-exchange groups are set on each
 * engine (BoringSSL takes them on the context).
 */
final class TlsHandler extends SniHandler {

    /** The largest ClientHello accepted: a real one is well under 2 KiB even with many extensions. */
    private static final int MAX_CLIENT_HELLO = 16 * 1024;

    private final String[] jdkGroups;

    /** @param jdkGroups the JDK's names of the groups, or null with BoringSSL */
    TlsHandler(SniContexts contexts, long handshakeTimeoutMillis, String[] jdkGroups) {
        super(contexts, MAX_CLIENT_HELLO, handshakeTimeoutMillis);
        this.jdkGroups = jdkGroups;
    }

    static String[] jdkGroups(TlsProvider provider, List<String> groups) {
        return provider == TlsProvider.JDK ? groups.stream().map(provider::groupName).toArray(String[]::new) : null;
    }

    @Override
    protected SslHandler newSslHandler(SslContext context, ByteBufAllocator allocator) {
        SslHandler handler = super.newSslHandler(context, allocator);
        if (jdkGroups != null) {
            SSLEngine engine = handler.engine();
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setNamedGroups(jdkGroups);
            engine.setSSLParameters(parameters);
        }
        return handler;
    }
}
