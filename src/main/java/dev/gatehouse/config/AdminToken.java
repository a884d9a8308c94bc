package dev.gatehouse.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A bearer token of the admin API, read from a file. Only its SHA-256 is kept: a presented token is hashed and
 * the two digests compared with {@link MessageDigest#isEqual}, so the time a comparison takes says nothing about
 * how much of the token was right. Named for its file, which is what events and logs show; never its value.
 */
public final class AdminToken {

    /** Shorter tokens are refused: a guessable token is no guard. */
    public static final int MIN_LENGTH = 16;

    private final String name;
    private final byte[] digest;

    private AdminToken(String name, byte[] digest) {
        this.name = name;
        this.digest = digest;
    }

    /** @param secret the token as the client sends it (already trimmed) */
    public static AdminToken of(String name, String secret) {
        return new AdminToken(name, sha256(secret));
    }

    public String name() {
        return name;
    }

    /** Whether {@code presented} is this token, in time that does not depend on where they differ. */
    public boolean matches(String presented) {
        return MessageDigest.isEqual(digest, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Equal when the name and the token are: a reload with a rotated token file is a change of the node section. */
    @Override
    public boolean equals(Object o) {
        return o instanceof AdminToken t && t.name.equals(name) && MessageDigest.isEqual(t.digest, digest);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return "token " + name;
    }
}
