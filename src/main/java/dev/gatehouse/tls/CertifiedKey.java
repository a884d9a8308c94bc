package dev.gatehouse.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A certificate chain with its private key, read and checked.
 *
 * @param names the DNS names the leaf covers (its SAN, else its CN), lower case; wildcards as {@code *.example.com}
 */
public record CertifiedKey(List<X509Certificate> chain, PrivateKey key, List<String> names) {

    public CertifiedKey {
        chain = List.copyOf(chain);
        names = List.copyOf(names);
    }

    public Instant notAfter() {
        return chain.getFirst().getNotAfter().toInstant();
    }

    public Instant notBefore() {
        return chain.getFirst().getNotBefore().toInstant();
    }

    /** What status and metrics call this certificate: its first name, or its subject when it names no host. */
    public String label() {
        return names.isEmpty() ? chain.getFirst().getSubjectX500Principal().getName() : names.getFirst();
    }

    /** A warning when the leaf is outside its validity period at {@code now}, else null. */
    public String validityWarning(Instant now) {
        if (now.isAfter(notAfter())) {
            return "the certificate " + label() + " expired at " + notAfter() + "; clients will refuse it";
        }
        if (now.isBefore(notBefore())) {
            return "the certificate " + label() + " is not valid before " + notBefore();
        }
        return null;
    }
}
