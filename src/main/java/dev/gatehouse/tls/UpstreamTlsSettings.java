package dev.gatehouse.tls;

import java.nio.file.Path;

/**
 * A pool's {@code tls:}: how its connections to endpoints are encrypted and whom the endpoints must prove to be.
 *
 * @param caFile PEM bundle of the CAs trusted to sign endpoint certificates; null: the JDK's default trust store
 * @param serverName SNI and the name the certificate must cover; null: each endpoint's host when it is a name
 * @param verify check the chain and the name; false encrypts without knowing who answers
 * @param clientCert PEM chain presented to endpoints that ask for a client certificate (mTLS); null with {@code clientKey}
 * @param clientKey PKCS#8 PEM key of {@code clientCert}
 * @param fileHash SHA-256 over the files' bytes when they were read, so a reload with changed files is a changed pool;
 *     empty when no file was read (validation that does not look at this machine)
 * @param written the file names as the config gives them (the paths above are resolved from its directory)
 */
public record UpstreamTlsSettings(Path caFile, String serverName, boolean verify, Path clientCert, Path clientKey,
        String fileHash, Written written) {

    /** File names as written in the config, each null when not given. */
    public record Written(String caFile, String clientCert, String clientKey) {}

    /**
     * Whether an endpoint's {@code host} is an address rather than a name: it then has no name to send as SNI or to
     * verify a certificate against, so {@code serverName} must give one.
     */
    public static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    /** The settings with the hash of their files as they are now. */
    public UpstreamTlsSettings hashed() {
        return new UpstreamTlsSettings(caFile, serverName, verify, clientCert, clientKey,
                FileHash.of(caFile, clientCert, clientKey), written);
    }

    /**
     * What every cluster member agrees on: the names as written and no file hash, since each node keeps its files
     * where it likes (as it does listener certificates).
     */
    public UpstreamTlsSettings asWritten() {
        return new UpstreamTlsSettings(path(written.caFile()), serverName, verify, path(written.clientCert()),
                path(written.clientKey()), "", written);
    }

    private static Path path(String name) {
        return name == null ? null : Path.of(name);
    }
}
