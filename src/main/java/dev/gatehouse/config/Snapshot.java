package dev.gatehouse.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A validated config as applied: its version in the cluster's sequence of configs and a hash of its
 * cluster-wide part, equal on every node that runs the same config whatever its key order, comments or
 * {@code node:} section.
 *
 * @param version position in the sequence of applied configs (1 for the first)
 * @param hash hex SHA-256 of {@link CanonicalForm#clusterWide(GatehouseConfig)}
 * @param source where the config came from, for status and events (a file path, or e.g. "api")
 */
public record Snapshot(GatehouseConfig config, long version, String hash, String source) {

    public static Snapshot of(GatehouseConfig config, long version, String source) {
        return new Snapshot(config, version, hash(config), source);
    }

    /** Hex SHA-256 of the cluster-wide part of {@code config}. */
    public static String hash(GatehouseConfig config) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(CanonicalForm.clusterWide(config).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }
}
