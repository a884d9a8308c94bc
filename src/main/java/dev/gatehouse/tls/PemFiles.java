package dev.gatehouse.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a PEM certificate chain and its PEM private key (PKCS#8, RSA, ECDSA or Ed25519) and checks that they belong
 * together. Every failure is an {@link IllegalArgumentException} whose message says what is wrong with which file.
 */
public final class PemFiles {

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
    private static final int MAX_BYTES = 1 << 20;
    private static final String[] KEY_TYPES = {"RSA", "EC", "Ed25519"};

    private PemFiles() {}

    /** The chain (leaf first) and key of {@code pair}, checked to match. */
    public static CertifiedKey load(TlsSettings.CertificatePair pair) {
        return certify(certificates(pair.cert()), privateKey(pair.key()), pair);
    }

    /** {@code chain} and {@code key} as one, when the key is the leaf's. */
    public static CertifiedKey certify(List<X509Certificate> chain, PrivateKey key, TlsSettings.CertificatePair pair) {
        if (!matches(key, chain.getFirst().getPublicKey())) {
            throw new IllegalArgumentException("the key in " + pair.key() + " does not match the certificate in " + pair.cert());
        }
        return new CertifiedKey(chain, key, ServerNames.of(chain.getFirst()));
    }

    /** The certificates of a PEM file, in file order (leaf first), at least one. */
    public static List<X509Certificate> certificates(Path file) {
        List<byte[]> blocks = blocks(file, "CERTIFICATE");
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks) {
                Certificate c = factory.generateCertificate(new ByteArrayInputStream(der));
                chain.add((X509Certificate) c);
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " holds a certificate that cannot be read: " + e.getMessage());
        }
        return chain;
    }

    /** The one PKCS#8 private key of a PEM file. */
    public static PrivateKey privateKey(Path file) {
        String text = read(file);
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IllegalArgumentException(file + " holds an encrypted key; give an unencrypted PKCS#8 key in a file only "
                    + "Gatehouse can read (openssl pkcs8 -topk8 -nocrypt)");
        }
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new IllegalArgumentException(file + " holds a PKCS#1/SEC1 key; convert it to PKCS#8 with "
                    + "openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW");
        }
        List<byte[]> blocks = blocks(file, text, "PRIVATE KEY");
        if (blocks.size() != 1) {
            throw new IllegalArgumentException(file + (blocks.isEmpty() ? " holds no PEM private key (-----BEGIN PRIVATE KEY-----)"
                    : " holds " + blocks.size() + " private keys; give one"));
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(blocks.getFirst());
        for (String type : KEY_TYPES) {
            try {
                return KeyFactory.getInstance(type).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new IllegalArgumentException(file + " holds a private key that is not RSA, ECDSA or Ed25519, or is damaged");
    }

    /** Whether {@code key} signs what {@code publicKey} verifies: the one check that works for every key type. */
    private static boolean matches(PrivateKey key, PublicKey publicKey) {
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static List<byte[]> blocks(Path file, String label) {
        return blocks(file, read(file), label);
    }

    private static List<byte[]> blocks(Path file, String text, String label) {
        List<byte[]> found = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(label)) {
                try {
                    found.add(Base64.getMimeDecoder().decode(m.group(2).strip()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + " is not valid PEM: " + e.getMessage());
                }
            }
        }
        return found;
    }

    private static String read(Path file) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException(file + " is larger than 1 MiB: not a PEM certificate or key");
            }
            return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read " + file + ": no such file (a relative path is resolved from the "
                    + "config file's directory)");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
