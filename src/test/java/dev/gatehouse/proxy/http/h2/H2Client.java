package dev.gatehouse.proxy.http.h2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Tools;
import dev.gatehouse.tls.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Runs {@code h2_client.py} (Debian's python3-h2) against a TLS listener on 127.0.0.1 whose CA is {@code ca.crt}. */
final class H2Client {

    private static final String PYTHON = "/usr/bin/python3";

    private H2Client() {}

    /** Copies the script into {@code dir}; skips (or fails in CI) without python3-h2. */
    static void install(Path dir) throws IOException {
        Tools.require("/usr/lib/python3/dist-packages/h2", "python3-h2");
        Files.copy(Objects.requireNonNull(H2Client.class.getResourceAsStream("/h2/h2_client.py")), dir.resolve("h2_client.py"));
    }

    /** Runs one mode against {@code port}; its {@code key=value} lines, in order. */
    static Map<String, String> run(Path dir, int port, String mode) throws IOException, InterruptedException {
        Commands.Result r = Commands.run(dir, Duration.ofSeconds(60), "", PYTHON, "h2_client.py", Integer.toString(port), "ca.crt", mode);
        assertThat(r.exit()).as(r.output()).isZero();
        Map<String, String> out = new LinkedHashMap<>();
        r.output().lines().filter(l -> l.contains("=")).forEach(l -> out.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return out;
    }
}
