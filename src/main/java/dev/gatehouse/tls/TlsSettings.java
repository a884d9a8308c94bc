package dev.gatehouse.tls;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A listener's {@code tls:} section, validated: certificate files (resolved paths), the lowest protocol version,
 * the TLS 1.2 cipher suites, the key-exchange groups and the ALPN protocols offered.
 *
 * @param certificates at least one; the first is the default for a client that names no host, or one no certificate covers
 * @param minVersion "1.2" or "1.3" (the highest is always 1.3)
 * @param ciphers IANA names of the TLS 1.2 suites, in preference order (TLS 1.3 suites are fixed: all three AEADs)
 * @param groups X25519, P-256 or P-384, in preference order
 * @param alpn protocols offered by ALPN; empty: no ALPN
 * @param clientAuth whether clients must (or may) present a certificate, and what it must chain to; null: none asked
 */
public record TlsSettings(List<CertificatePair> certificates, String minVersion, List<String> ciphers, List<String> groups,
        List<String> alpn, ClientAuth clientAuth) {

    /**
     * Client certificates: verified against the CA certificates in {@code ca} (a PEM file); {@code required}: a client
     * without a valid one fails its handshake, else one without any is served (one with an invalid one is not).
     *
     * @param ca the file as resolved (from the config file's directory); {@code caAsWritten} as the config says
     */
    public record ClientAuth(Path ca, String caAsWritten, boolean required) {}

    /** The header that carries a verified client certificate's subject to the backend; any a client sends is dropped. */
    public static final String CLIENT_SUBJECT_HEADER = "X-Client-Cert-Subject";

    /**
     * A certificate chain (leaf first) and its private key, each a PEM file.
     *
     * @param cert the file as resolved (from the config file's directory); {@code certAsWritten} as the config says
     */
    public record CertificatePair(Path cert, Path key, String certAsWritten, String keyAsWritten) {}

    /** ECDHE key exchange with an AEAD only: forward secrecy, and no CBC, RSA key exchange, 3DES or RC4. */
    public static final List<String> DEFAULT_CIPHERS = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    /** The TLS 1.3 suites, always offered when 1.3 is: BoringSSL does not let them be chosen, and all three are AEADs. */
    static final List<String> TLS13_CIPHERS = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");
    public static final List<String> DEFAULT_GROUPS = List.of("X25519", "P-256", "P-384");
    public static final List<String> DEFAULT_ALPN = List.of("http/1.1");
    /** HTTP/2's ALPN name: an HTTP listener offering it serves HTTP/2 to the clients that choose it. */
    public static final String H2 = "h2";
    public static final String DEFAULT_MIN_VERSION = "1.2";
    private static final Set<String> VERSIONS = Set.of("1.2", "1.3");

    public TlsSettings {
        certificates = List.copyOf(certificates);
        ciphers = List.copyOf(ciphers);
        groups = List.copyOf(groups);
        alpn = List.copyOf(alpn);
    }

    /** {@code "1.2"} or {@code "1.3"}; throws IllegalArgumentException naming the value otherwise. */
    public static String minVersion(String text) {
        if (!VERSIONS.contains(text)) {
            throw new IllegalArgumentException("must be \"1.2\" or \"1.3\", got '" + text + "' (older versions are insecure)");
        }
        return text;
    }

    /** A TLS 1.2 suite of the secure set, by its IANA name. */
    public static String cipher(String text) {
        if (TLS13_CIPHERS.contains(text)) {
            throw new IllegalArgumentException("'" + text + "' is a TLS 1.3 suite: those are fixed (all three AEADs are offered); "
                    + "ciphers lists TLS 1.2 suites");
        }
        if (!DEFAULT_CIPHERS.contains(text)) {
            throw new IllegalArgumentException("'" + text + "' is not offered: only ECDHE with AES-GCM or ChaCha20-Poly1305 ("
                    + String.join(", ", DEFAULT_CIPHERS) + ")");
        }
        return text;
    }

    /** X25519, P-256 or P-384 (any case), in its canonical spelling. */
    public static String group(String text) {
        for (String g : DEFAULT_GROUPS) {
            if (g.equalsIgnoreCase(text)) {
                return g;
            }
        }
        throw new IllegalArgumentException("must be one of " + String.join(", ", DEFAULT_GROUPS) + ", got '" + text + "'");
    }

    /** {@code required} or {@code optional}: whether a client must present a certificate. */
    public static boolean verifyClient(String text) {
        return switch (text) {
            case "required" -> true;
            case "optional" -> false;
            default -> throw new IllegalArgumentException("must be required or optional, got '" + text + "'");
        };
    }

    /** An ALPN protocol this build serves. */
    public static String alpn(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (!lower.equals("http/1.1") && !lower.equals(H2)) {
            throw new IllegalArgumentException("must be h2 or http/1.1, got '" + text + "'");
        }
        return lower;
    }
}
