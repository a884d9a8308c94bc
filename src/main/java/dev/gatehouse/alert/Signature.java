package dev.gatehouse.alert;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@value #HEADER} header: {@code sha256=} and the hex HMAC-SHA256 of the body under the webhook's secret, so
 * the receiver can check that the body came from a holder of the secret, unchanged.
 */
final class Signature {

    static final String HEADER = "X-Gatehouse-Signature";

    private final SecretKeySpec key;

    Signature(byte[] secret) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    String sign(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("unusable webhook secret", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
