package dev.gatehouse.tls;

import java.util.List;

/**
 * The TLS part of {@code /api/v1/status}.
 *
 * @param provider the implementation that runs (BoringSSL or the JDK's)
 * @param expiringSoon the certificates that expire within 14 days (or have expired)
 * @param ticketKeys whose keys encrypt session tickets: the cluster's (shared by every node, so a ticket resumes on
 *     any), this node's own (before the first shared key, or outside a cluster), or none (no TLS in use)
 */
public record TlsStatus(String provider, List<Certificate> certificates, List<Certificate> expiringSoon,
        String ticketKeys) {

    /** @param name what metrics call it: its first DNS name */
    public record Certificate(String listener, String name, List<String> names, String notAfter, long expiresInSeconds) {}
}
