package dev.gatehouse.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The keys that encrypt session tickets (RFC 5077; TLS 1.3 resumption too), so a client resumes without a full
 * handshake. Generated with the node's first TLS context and rotated every {@link #ROTATION}: a new key encrypts new
 * tickets, the previous one still decrypts tickets issued before the rotation, so every ticket is honoured for at
 * least one period. In a cluster the keys the members share ({@link TicketKeyChannel}) replace these once the first
 * is committed, and rotate through the cluster instead.
 * BoringSSL only: the JDK keeps its ticket keys to itself.
 */
final class TicketKeys {

    static final Duration ROTATION = Duration.ofHours(12);
    /** A key is the key name, the HMAC secret and the AES key, 16 bytes each. */
    static final int KEY_BYTES = 48;
    private static final int PART = 16;

    private static final SecureRandom RANDOM = new SecureRandom();
    private volatile OpenSslSessionTicketKey[] keys;
    private volatile boolean shared;

    TicketKeys() {
        keys = new OpenSslSessionTicketKey[] {key(newKey())};
    }

    /** A new key for new tickets; the current one is kept for decryption, the one before it dropped. */
    void rotate() {
        if (!shared) {
            keys = new OpenSslSessionTicketKey[] {key(newKey()), keys[0]};
        }
    }

    /** From now on the cluster's keys, {@code newestFirst} (the first encrypts): they replace this node's own. */
    void share(List<byte[]> newestFirst) {
        if (!newestFirst.isEmpty()) {
            keys = newestFirst.stream().map(TicketKeys::key).toArray(OpenSslSessionTicketKey[]::new);
            shared = true;
        }
    }

    /** What status shows of the keys in use. */
    String describe() {
        return shared ? "shared by the cluster (" + keys.length + ")" : "this node's own";
    }

    /** Sets the current keys on {@code context}; a context of the JDK provider is left as it is. */
    void applyTo(SslContext context) {
        if (context.sessionContext() instanceof OpenSslSessionContext openSsl) {
            openSsl.setTicketKeys(keys);
        }
    }

    /** A new key: {@link #KEY_BYTES} random bytes. */
    static byte[] newKey() {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return key;
    }

    private static OpenSslSessionTicketKey key(byte[] bytes) {
        return new OpenSslSessionTicketKey(Arrays.copyOfRange(bytes, 0, PART), Arrays.copyOfRange(bytes, PART, 2 * PART),
                Arrays.copyOfRange(bytes, 2 * PART, 3 * PART));
    }
}
