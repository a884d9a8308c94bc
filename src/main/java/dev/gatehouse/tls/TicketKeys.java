package dev.gatehouse.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * The keys that encrypt session tickets (RFC 5077; TLS 1.3 resumption too), so a client resumes without a full
 * handshake. Generated with the node's first TLS context and rotated every {@link #ROTATION}: a new key encrypts new
 * tickets, the previous one still decrypts tickets issued before the rotation, so every ticket is honoured for at
 * least one period.
 * BoringSSL only: the JDK keeps its ticket keys to itself.
 */
final class TicketKeys {

    static final Duration ROTATION = Duration.ofHours(12);
    private static final int PART = 16; // key name, HMAC secret and AES key: 16 bytes each

    private final SecureRandom random = new SecureRandom();
    private volatile OpenSslSessionTicketKey[] keys;

    TicketKeys() {
        keys = new OpenSslSessionTicketKey[] {newKey()};
    }

    /** A new key for new tickets; the current one is kept for decryption, the one before it dropped. */
    void rotate() {
        keys = new OpenSslSessionTicketKey[] {newKey(), keys[0]};
    }

    /** Sets the current keys on {@code context}; a context of the JDK provider is left as it is. */
    void applyTo(SslContext context) {
        if (context.sessionContext() instanceof OpenSslSessionContext openSsl) {
            openSsl.setTicketKeys(keys);
        }
    }

    private OpenSslSessionTicketKey newKey() {
        byte[] name = new byte[PART];
        byte[] hmac = new byte[PART];
        byte[] aes = new byte[PART];
        random.nextBytes(name);
        random.nextBytes(hmac);
        random.nextBytes(aes);
        return new OpenSslSessionTicketKey(name, hmac, aes);
    }
}
