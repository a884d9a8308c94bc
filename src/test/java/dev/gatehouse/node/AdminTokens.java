package dev.gatehouse.node;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;

/** The admin tokens of test nodes: files beside their configs, and requests that carry them. */
final class AdminTokens {

    static final String WRITE = "the-write-token-of-the-tests-0123456789";
    static final String READ = "the-read-token-of-the-tests-9876543210";
    /** What a node section's admin key says to take both: {@code node: { id: X, admin: ... }}. */
    static final String LONG_FORM = "{ bind: \"127.0.0.1:0\", token_file: admin.token }";

    private AdminTokens() {}

    /** Writes admin.token (the write token) and read.token into {@code dir}. */
    static void write(Path dir) throws IOException {
        Files.writeString(dir.resolve("admin.token"), WRITE + "\n");
        Files.writeString(dir.resolve("read.token"), READ + "\n");
    }

    static HttpRequest.Builder withToken(HttpRequest.Builder request, String token) {
        return request.header("Authorization", "Bearer " + token);
    }
}
