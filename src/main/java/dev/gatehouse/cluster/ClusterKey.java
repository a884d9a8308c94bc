package dev.gatehouse.cluster;

import dev.gatehouse.config.SecretFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import javax.crypto.KDF;
import javax.crypto.spec.HKDFParameterSpec;

/**
 * The cluster's identity, derived from the shared secret alone: every member that holds the same secret derives
 * the same Ed25519 key pair and the same self-signed certificate, and trusts exactly that certificate.
 *
 * <p>Why this shape: Ratis speaks gRPC, whose only authentication hook is TLS. Mutual TLS where both ends must
 * prove possession of the one private key (the TLS 1.3 CertificateVerify signature) authenticates every message
 * (AEAD per record), drops replays (per-connection keys and record sequence numbers) and needs no PKI to
 * distribute: the key file is the only thing to copy. Ed25519 keeps the derivation exact: its private key is
 * 32 bytes (here HKDF-SHA256 of the secret), the public key follows by RFC 8032, and its signatures are
 * deterministic, so the certificate is byte-identical on every member.
 */
final class ClusterKey {

    static final int MIN_SECRET_BYTES = 16;
    private static final byte[] SALT = "gatehouse cluster key v1".getBytes(StandardCharsets.US_ASCII);
    private static final String NAME = "gatehouse-cluster";

    final KeyPair keyPair;
    final X509Certificate certificate;

    private ClusterKey(KeyPair keyPair, X509Certificate certificate) {
        this.keyPair = keyPair;
        this.certificate = certificate;
    }

    /** The key derived from a secret file ({@link SecretFile#read}). */
    static ClusterKey fromSecretFile(Path file) throws IOException {
        return fromSecret(SecretFile.read(file));
    }

    static ClusterKey fromSecret(byte[] secret) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("cluster secret is " + secret.length + " bytes; needs at least "
                    + MIN_SECRET_BYTES);
        }
        try {
            byte[] seed = KDF.getInstance("HKDF-SHA256").deriveData(HKDFParameterSpec.ofExtract()
                    .addIKM(secret).addSalt(SALT).thenExpand("ed25519".getBytes(StandardCharsets.US_ASCII), 32));
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new FixedRandom(seed));
            KeyPair pair = generator.generateKeyPair();
            return new ClusterKey(pair, selfSigned(pair));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the cluster key (needs JDK Ed25519 and HKDF)", e);
        }
    }

    /** True when {@code peer} carries this cluster's public key. */
    boolean matches(X509Certificate peer) {
        return Arrays.equals(peer.getPublicKey().getEncoded(), keyPair.getPublic().getEncoded());
    }

    private static X509Certificate selfSigned(KeyPair pair) throws GeneralSecurityException {
        byte[] ed25519 = Der.sequence(Der.oid("1.3.101.112"));
        byte[] name = Der.sequence(Der.set(Der.sequence(Der.oid("2.5.4.3"), Der.utf8(NAME))));
        byte[] tbs = Der.sequence(
                Der.explicit(0, Der.integer(2)), // v3
                Der.integer(1),
                ed25519,
                name,
                // fixed validity: the bytes must not depend on when a member started
                Der.sequence(Der.generalizedTime("20000101000000Z"), Der.generalizedTime("99991231235959Z")),
                name,
                pair.getPublic().getEncoded());
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(pair.getPrivate());
        signer.update(tbs);
        byte[] der = Der.sequence(tbs, ed25519, Der.bitString(signer.sign()));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    /** Hands the key generator the derived seed as its "random" private key bytes. */
    private static final class FixedRandom extends SecureRandom {
        private final byte[] seed;

        FixedRandom(byte[] seed) {
            this.seed = seed;
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != seed.length) {
                throw new IllegalStateException("Ed25519 asked for " + bytes.length + " seed bytes, expected 32");
            }
            System.arraycopy(seed, 0, bytes, 0, seed.length);
        }
    }
}
