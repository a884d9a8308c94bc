package dev.gatehouse.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/** The content hash by which a changed certificate, key or CA file is noticed. */
final class FileHash {

    private FileHash() {}

    /**
     * SHA-256 over the bytes of every file (null entries skipped); a file that cannot be read hashes as its error, so
     * a later fix is noticed.
     */
    static String of(Path... files) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        for (Path file : files) {
            if (file == null) {
                continue;
            }
            try {
                sha.update(Files.readAllBytes(file));
            } catch (IOException e) {
                sha.update(Objects.toString(e).getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
