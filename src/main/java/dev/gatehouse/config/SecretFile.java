package dev.gatehouse.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The bytes of a secret kept in a file (cluster key, webhook HMAC key), as every reader of one takes them. */
public final class SecretFile {

    private SecretFile() {}

    /** The file's bytes without surrounding whitespace: the newline an editor adds is not part of the secret. */
    public static byte[] read(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        int from = 0;
        int to = raw.length;
        while (from < to && Character.isWhitespace(raw[from])) {
            from++;
        }
        while (to > from && Character.isWhitespace(raw[to - 1])) {
            to--;
        }
        return Arrays.copyOfRange(raw, from, to);
    }
}
