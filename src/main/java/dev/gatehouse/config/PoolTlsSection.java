package dev.gatehouse.config;

import dev.gatehouse.tls.PemFiles;
import dev.gatehouse.tls.TlsSettings;
import dev.gatehouse.tls.UpstreamTlsSettings;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads a pool's {@code tls:} (TLS towards its endpoints). With a base directory (a file on this machine) the CA
 * bundle and the client certificate and key are read and checked: readable, PEM, the key the certificate's. Without
 * one (the cluster-wide check every member makes alike) the files are each node's own matter, checked where it
 * applies them.
 */
final class PoolTlsSection {

    private static final Pattern DNS_NAME =
            Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    private PoolTlsSection() {}

    static UpstreamTlsSettings read(YamlNode t, List<EndpointConfig> endpoints, boolean proxyProtocol, Path baseDir) {
        if (t == null || !t.expectKeys("ca_file", "server_name", "verify", "client_cert", "client_key")) {
            return null;
        }
        if (proxyProtocol) {
            t.keyError("tls together with proxy_protocol: v2 is not available in this build (the PROXY header would have "
                    + "to go before the handshake)");
        }
        boolean verify = t.get("verify", Values.BOOL, true);
        String serverName = t.get("server_name", PoolTlsSection::dnsName, null);
        UpstreamTlsSettings.Written written = new UpstreamTlsSettings.Written(t.get("ca_file", Values.TEXT, null),
                t.get("client_cert", Values.TEXT, null), t.get("client_key", Values.TEXT, null));
        Path ca = file(t, "ca_file", written.caFile(), baseDir);
        Path cert = file(t, "client_cert", written.clientCert(), baseDir);
        Path key = file(t, "client_key", written.clientKey(), baseDir);
        if (!verify) {
            t.get("verify").warning("endpoint certificates are not checked: whoever answers at their addresses gets the traffic");
            if (t.has("ca_file")) {
                t.get("ca_file").keyError("has no use with verify: false (nothing is checked against it)");
            }
        } else if (!t.has("server_name")) {
            for (EndpointConfig e : endpoints) {
                if (UpstreamTlsSettings.isIpLiteral(e.address().host())) {
                    t.keyError("endpoint " + e.address() + " is an IP address, so there is no name to verify its certificate "
                            + "against: set server_name (the name its certificate covers) or verify: false");
                    break;
                }
            }
        }
        if (t.has("client_cert") != t.has("client_key")) {
            String missing = t.has("client_cert") ? "client_key" : "client_cert";
            t.get(t.has("client_cert") ? "client_cert" : "client_key").keyError("needs " + missing + " too (both or neither)");
        }
        if (baseDir != null) {
            check(t, ca, cert, key);
        }
        UpstreamTlsSettings settings = new UpstreamTlsSettings(ca, serverName, verify, cert, key, "", written);
        return baseDir == null ? settings : settings.hashed();
    }

    private static Path file(YamlNode t, String key, String name, Path baseDir) {
        return name == null ? null : ConfigPaths.resolve(t.get(key), name, baseDir);
    }

    /** Reads the files as the pool will, reporting each problem at the key it is about. */
    private static void check(YamlNode t, Path ca, Path cert, Path key) {
        if (ca != null) {
            TlsSection.attempt(t.get("ca_file"), () -> PemFiles.certificates(ca));
        }
        List<X509Certificate> chain = cert == null ? null : TlsSection.attempt(t.get("client_cert"), () -> PemFiles.certificates(cert));
        PrivateKey privateKey = key == null ? null : TlsSection.attempt(t.get("client_key"), () -> PemFiles.privateKey(key));
        if (chain != null && privateKey != null) {
            TlsSection.attempt(t.get("client_key"), () -> PemFiles.certify(chain, privateKey,
                    new TlsSettings.CertificatePair(cert, key, cert.toString(), key.toString())));
        }
    }

    private static String dnsName(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (UpstreamTlsSettings.isIpLiteral(lower) || !DNS_NAME.matcher(lower).matches()) {
            throw new IllegalArgumentException("must be a DNS name (what the endpoints' certificates cover), got '" + text + "'");
        }
        return lower;
    }
}
