package dev.gatehouse.config;

import dev.gatehouse.tls.CertifiedKey;
import dev.gatehouse.tls.PemFiles;
import dev.gatehouse.tls.TlsSettings;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads a listener's {@code tls:}. With a base directory (a file on this machine) each certificate and key is read
 * and checked: readable, PEM, the key the certificate's; an expired certificate is a warning. Without one (the
 * cluster-wide check every member makes alike) the files are each node's own matter, checked where it applies them.
 */
final class TlsSection {

    private TlsSection() {}

    static TlsSettings read(YamlNode t, Path baseDir) {
        if (t == null || !t.expectKeys("certificates", "min_version", "ciphers", "groups", "alpn", "client_ca", "verify_client")) {
            return null;
        }
        List<TlsSettings.CertificatePair> pairs = new ArrayList<>();
        for (YamlNode c : t.requireItems("certificates", "certificate")) {
            if (!c.expectKeys("cert", "key")) {
                continue;
            }
            String certName = c.require("cert", Values.TEXT);
            String keyName = c.require("key", Values.TEXT);
            Path cert = certName == null ? null : ConfigPaths.resolve(c.get("cert"), certName, baseDir);
            Path key = keyName == null ? null : ConfigPaths.resolve(c.get("key"), keyName, baseDir);
            if (cert != null && key != null) {
                TlsSettings.CertificatePair pair = new TlsSettings.CertificatePair(cert, key, certName, keyName);
                pairs.add(pair);
                if (baseDir != null) {
                    check(c, pair);
                }
            }
        }
        return new TlsSettings(pairs,
                t.get("min_version", TlsSettings::minVersion, TlsSettings.DEFAULT_MIN_VERSION),
                list(t, "ciphers", TlsSettings::cipher, TlsSettings.DEFAULT_CIPHERS),
                list(t, "groups", TlsSettings::group, TlsSettings.DEFAULT_GROUPS),
                list(t, "alpn", TlsSettings::alpn, TlsSettings.DEFAULT_ALPN),
                clientAuth(t, baseDir));
    }

    /** {@code client_ca} (checked like a certificate file) and {@code verify_client} (required unless optional). */
    private static TlsSettings.ClientAuth clientAuth(YamlNode t, Path baseDir) {
        if (!t.has("client_ca")) {
            if (t.has("verify_client")) {
                t.get("verify_client").error("needs client_ca: the CA certificates client certificates must chain to");
            }
            return null;
        }
        String caName = t.require("client_ca", Values.TEXT);
        if (caName == null) {
            return null;
        }
        Path ca = ConfigPaths.resolve(t.get("client_ca"), caName, baseDir);
        if (baseDir != null) {
            attempt(t.get("client_ca"), () -> PemFiles.certificates(ca));
        }
        return new TlsSettings.ClientAuth(ca, caName, t.get("verify_client", TlsSettings::verifyClient, true));
    }

    /** Reads the pair as the listener will, reporting each problem at the key it is about. */
    private static void check(YamlNode c, TlsSettings.CertificatePair pair) {
        List<X509Certificate> chain = attempt(c.get("cert"), () -> PemFiles.certificates(pair.cert()));
        PrivateKey key = attempt(c.get("key"), () -> PemFiles.privateKey(pair.key()));
        if (chain == null || key == null) {
            return;
        }
        CertifiedKey certified = attempt(c, () -> PemFiles.certify(chain, key, pair));
        String warning = certified == null ? null : certified.validityWarning(Instant.now());
        if (warning != null) {
            c.get("cert").warning(warning);
        }
    }

    /** What {@code read} returns, or null after recording its IllegalArgumentException's message at {@code at}. */
    static <T> T attempt(YamlNode at, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            at.error(e.getMessage());
            return null;
        }
    }

    /** A non-empty list of parsed values; {@code absent} when the key is not there. */
    private static List<String> list(YamlNode t, String key, Function<String, String> parser, List<String> absent) {
        if (!t.has(key)) {
            return absent;
        }
        List<String> values = new ArrayList<>();
        for (YamlNode item : t.requireItems(key, "value")) {
            String v = item.as(parser);
            if (v != null) {
                values.add(v);
            }
        }
        return values.isEmpty() ? absent : values;
    }
}
