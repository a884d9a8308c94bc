package dev.gatehouse.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TLS implementation runs: BoringSSL through netty-tcnative when its native library loads (faster handshakes
 * and bulk crypto, session-ticket keys under our control), else the JDK's. The system property
 * {@code gatehouse.tls.provider=jdk} forces the JDK's, for comparison.
 */
public enum TlsProvider {
    OPENSSL,
    JDK;

    private static final Logger LOG = LoggerFactory.getLogger(TlsProvider.class);

    /** The provider this process uses; logs the choice, and why when it falls back. */
    static TlsProvider detect() {
        TlsProvider chosen = chosen();
        if (chosen == JDK && "jdk".equals(System.getProperty("gatehouse.tls.provider"))) {
            LOG.info("TLS provider: {} (forced by -Dgatehouse.tls.provider=jdk)", JDK.label());
            return JDK;
        }
        if (chosen == OPENSSL) {
            LOG.info("TLS provider: {}", OPENSSL.label());
            return OPENSSL;
        }
        LOG.warn("TLS provider: {}; BoringSSL could not load: {}", JDK.label(), String.valueOf(OpenSsl.unavailabilityCause()));
        return JDK;
    }

    /** The provider {@link #detect} picks, without a log line: for the client contexts a pool builds on each change. */
    static TlsProvider chosen() {
        return !"jdk".equals(System.getProperty("gatehouse.tls.provider")) && OpenSsl.isAvailable() ? OPENSSL : JDK;
    }

    SslProvider netty() {
        return this == OPENSSL ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** As the log and {@code /api/v1/status} show it. */
    public String label() {
        return this == OPENSSL ? "BoringSSL (netty-tcnative, " + OpenSsl.versionString() + ")"
                : "JDK (" + Runtime.version() + ")";
    }

    /** The name of a key-exchange group as this provider spells it. */
    String groupName(String group) {
        if (this == OPENSSL) {
            return group;
        }
        return switch (group) {
            case "X25519" -> "x25519";
            case "P-256" -> "secp256r1";
            case "P-384" -> "secp384r1";
            default -> throw new IllegalArgumentException("unknown group " + group);
        };
    }
}
