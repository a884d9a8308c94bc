package dev.gatehouse.tls;

import dev.gatehouse.time.LogGate;
import dev.gatehouse.time.Ticker;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool's TLS towards its endpoints, built once per pool and config version on the control plane: the client
 * {@link SslContext} of the provider in use for the data plane, and a JDK {@link SSLContext} with the same trust and
 * client certificate for the blocking health checks. Counts failed handshakes and logs them at most once per 10 s.
 */
public final class UpstreamTls {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamTls.class);
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final String pool;
    private final UpstreamTlsSettings settings;
    private final SslContext context;
    private final SSLContext blocking;
    private final TlsProvider provider;
    private final LongAdder failures;
    private final LogGate failureLog = new LogGate(Ticker.system(), Duration.ofSeconds(10));

    private UpstreamTls(String pool, UpstreamTlsSettings settings, SslContext context, SSLContext blocking, TlsProvider provider,
            LongAdder failures) {
        this.pool = pool;
        this.settings = settings;
        this.context = context;
        this.blocking = blocking;
        this.provider = provider;
        this.failures = failures;
    }

    /**
     * Reads the files of {@code settings} and builds the contexts.
     *
     * @param previous the same pool's before a change (its failure count carries on), or null
     * @throws IllegalArgumentException saying which file or setting cannot be used
     */
    public static UpstreamTls build(String pool, UpstreamTlsSettings settings, UpstreamTls previous) {
        TlsProvider provider = TlsProvider.chosen();
        TrustManagerFactory trust = trust(settings);
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(provider.netty()).protocols(PROTOCOLS)
                .trustManager(trust).endpointIdentificationAlgorithm(settings.verify() ? "HTTPS" : null);
        KeyManagerFactory keys = null;
        if (settings.clientCert() != null) {
            List<X509Certificate> chain = PemFiles.certificates(settings.clientCert());
            PrivateKey key = PemFiles.privateKey(settings.clientKey());
            PemFiles.certify(chain, key, new TlsSettings.CertificatePair(settings.clientCert(), settings.clientKey(),
                    settings.clientCert().toString(), settings.clientKey().toString()));
            b.keyManager(key, chain);
            keys = keyManagers(key, chain);
        }
        try {
            SSLContext jdk = SSLContext.getInstance("TLS");
            jdk.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return new UpstreamTls(pool, settings, b.build(), jdk, provider, previous == null ? new LongAdder() : previous.failures);
        } catch (SSLException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("pool " + pool + ": " + provider.label() + " cannot build its TLS client: " + e.getMessage());
        }
    }

    private static TrustManagerFactory trust(UpstreamTlsSettings settings) {
        if (!settings.verify()) {
            return InsecureTrustManagerFactory.INSTANCE;
        }
        try {
            KeyStore store = null;
            if (settings.caFile() != null) {
                store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (X509Certificate ca : PemFiles.certificates(settings.caFile())) {
                    store.setCertificateEntry("ca" + i++, ca);
                }
            }
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(store); // null: the JDK's default trust store
            return f;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(settings.caFile() + ": cannot be trusted as CAs: " + e.getMessage());
        }
    }

    private static KeyManagerFactory keyManagers(PrivateKey key, List<X509Certificate> chain) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] none = new char[0];
            store.setKeyEntry("client", key, none, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            f.init(store, none);
            return f;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("the client certificate cannot be used: " + e.getMessage());
        }
    }

    public UpstreamTlsSettings settings() {
        return settings;
    }

    public TlsProvider provider() {
        return provider;
    }

    /** The name sent as SNI and verified for an endpoint at {@code host}: server_name, else the host when it is a name. */
    public String serverName(String host) {
        if (settings.serverName() != null) {
            return settings.serverName();
        }
        return UpstreamTlsSettings.isIpLiteral(host) ? null : host;
    }

    /** A handler that encrypts a new connection to {@code host:port}, its handshake bounded by {@code timeoutMillis}. */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port, long timeoutMillis) {
        String name = serverName(host);
        SslHandler handler = name == null ? context.newHandler(alloc) : context.newHandler(alloc, name, port);
        handler.setHandshakeTimeoutMillis(timeoutMillis);
        return handler;
    }

    /** {@code plain} with a completed TLS handshake on it, for a blocking health check; throws when it fails. */
    public SSLSocket handshake(Socket plain, String host, int port) throws IOException {
        String name = serverName(host);
        SSLSocket socket = (SSLSocket) blocking.getSocketFactory().createSocket(plain, name == null ? host : name, port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setProtocols(PROTOCOLS);
        if (settings.verify()) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (name != null) {
            parameters.setServerNames(List.of(new SNIHostName(name)));
        }
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    /** Counts a handshake with {@code endpoint} that failed, and logs it unless a line was written less than 10 s ago. */
    public void handshakeFailed(String endpoint, Throwable cause) {
        failures.increment();
        long held = failureLog.pass();
        if (held >= 0) {
            LOG.warn("pool {}: TLS handshake with {} failed: {}{}", pool, endpoint, reason(cause),
                    held == 0 ? "" : " (" + held + " more failed since the last line)");
        }
    }

    /** Handshakes with this pool's endpoints that failed since the pool was first built. */
    public long handshakeFailures() {
        return failures.sum();
    }

    /** What the TLS library said (e.g. CERTIFICATE_VERIFY_FAILED) and, when another, the innermost reason (which check). */
    static String reason(Throwable cause) {
        Throwable inner = cause;
        while (inner.getCause() != null && inner.getCause() != inner) {
            inner = inner.getCause();
        }
        String outer = String.valueOf(cause.getMessage());
        String why = inner.getMessage() == null ? inner.getClass().getSimpleName() : inner.getMessage();
        return inner == cause || outer.contains(why) ? outer : outer + ": " + why;
    }
}
