package dev.gatehouse.cluster;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslProvider;

/**
 * Mutual TLS 1.3 for every Ratis connection (peer to peer, client to server, admin) and every fence link
 * ({@link FenceLinks}), keyed by {@link ClusterKey}.
 * The trust manager accepts a peer only if its certificate carries the cluster public key; the TLS handshake
 * then proves the peer also holds the private key. Host names are deliberately not checked: the key is the
 * identity. Rejected peers are counted.
 */
final class ClusterTls {

    private final AtomicLong rejectedPeers = new AtomicLong();
    private final GrpcTlsConfig config;
    private final SSLContext context;

    ClusterTls(ClusterKey key) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = new char[0];
            store.setKeyEntry("cluster", key.keyPair.getPrivate(), password, new X509Certificate[] {key.certificate});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            OnlyClusterKey trust = new OnlyClusterKey(key);
            context = SSLContext.getInstance("TLSv1.3");
            context.init(keys.getKeyManagers(), new TrustManager[] {trust}, null);
            config = GrpcTlsConfig.newBuilder()
                    .setKeyManager(keys.getKeyManagers()[0])
                    .setTrustManager(trust)
                    .setMutualTls(true)
                    // the JDK provider: Ed25519 in TLS 1.3 everywhere, no dependence on the bundled OpenSSL build
                    .setSslProvider(SslProvider.JDK)
                    .setProtocols("TLSv1.3")
                    .build();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot set up cluster TLS", e);
        }
    }

    GrpcTlsConfig config() {
        return config;
    }

    /** The same identity and trust for plain sockets (the fence links). */
    SSLContext context() {
        return context;
    }

    /** Handshakes this member refused because the peer did not present the cluster key. */
    long rejectedPeers() {
        return rejectedPeers.get();
    }

    private final class OnlyClusterKey extends X509ExtendedTrustManager {
        private final ClusterKey key;

        OnlyClusterKey(ClusterKey key) {
            this.key = key;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !key.matches(chain[0])) {
                rejectedPeers.incrementAndGet();
                throw new CertificateException("peer does not hold this cluster's key");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[] {key.certificate};
        }
    }
}
