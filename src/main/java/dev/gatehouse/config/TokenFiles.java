package dev.gatehouse.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** Reads {@code node.admin.token_file} and {@code read_token_file}: one token per file, surrounding whitespace trimmed. */
final class TokenFiles {

    /** What an HTTP header can carry after "Bearer ": visible ASCII, no spaces. */
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]+");
    private static final int MAX_BYTES = 4096;

    private TokenFiles() {}

    static AdminAccess read(YamlNode admin, Path baseDir) {
        String write = secret(admin, "token_file", baseDir);
        String read = secret(admin, "read_token_file", baseDir);
        if (write != null && write.equals(read)) {
            admin.get("read_token_file").error("holds the same token as token_file: a read token must not be able to write");
        }
        return new AdminAccess(token(admin, "token_file", write), token(admin, "read_token_file", read));
    }

    /** Named for its file, as events show it. */
    private static AdminToken token(YamlNode admin, String key, String secret) {
        return secret == null ? null : AdminToken.of(Path.of(admin.get(key, Values.TEXT, null)).getFileName().toString(), secret);
    }

    private static String secret(YamlNode admin, String key, Path baseDir) {
        String name = admin.get(key, Values.TEXT, null);
        return name == null ? null : fileSecret(admin.get(key), name, baseDir);
    }

    /** The trimmed token in the file, or null after recording why it cannot be one. */
    private static String fileSecret(YamlNode at, String name, Path baseDir) {
        ConfigPaths.FileText read = ConfigPaths.readText(at, name, baseDir);
        if (read == null) {
            return null;
        }
        Path file = read.file();
        if (read.text().getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            at.error(file + " is larger than " + MAX_BYTES + " bytes: it should hold one token");
            return null;
        }
        String secret = read.text().strip();
        if (secret.isEmpty()) {
            at.error(file + " is empty");
        } else if (!TOKEN.matcher(secret).matches()) {
            at.error(file + " must hold one token of visible ASCII characters without spaces");
        } else if (secret.length() < AdminToken.MIN_LENGTH) {
            at.error(file + " holds a token of " + secret.length() + " characters; use at least " + AdminToken.MIN_LENGTH
                    + " (e.g. openssl rand -hex 32)");
        } else {
            return secret;
        }
        return null;
    }
}
