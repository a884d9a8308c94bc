package dev.gatehouse.tls;

import java.util.List;

/**
 * The TLS part of {@code /api/v1/status}.
 *
 * @param provider the implementation that runs (BoringSSL or the JDK's)
 * @param expiringSoon the certificates that expire within 14 days (or have expired)
 */
public record TlsStatus(String provider, List<Certificate> certificates, List<Certificate> expiringSoon) {

    /** @param name what metrics call it: its first DNS name */
    public record Certificate(String listener, String name, List<String> names, String notAfter, long expiresInSeconds) {}
}
