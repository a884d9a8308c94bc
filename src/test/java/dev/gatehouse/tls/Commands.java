package dev.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The command-line tools the TLS tests drive (openssl, curl, keytool, testssl), run within a bound each test picks
 * (testssl takes minutes), output kept. Whether a tool is there is {@link dev.gatehouse.Tools#require}'s to say.
 */
public final class Commands {

    /** What a finished command did. */
    public record Result(int exit, String output) {}

    private Commands() {}

    /** Runs {@code command} in {@code dir} with stdin from {@code input}, stdout and stderr together, within {@code bound}. */
    public static Result run(Path dir, Duration bound, String input, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        try (var stdin = p.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the tool exited before reading its input: its output says why
        }
        if (!p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", command) + " did not finish within " + bound + ":\n" + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out));
    }

    /** As {@link #run}, asserting exit 0. */
    static String ok(Path dir, String... command) throws IOException, InterruptedException {
        Result r = run(dir, Duration.ofSeconds(30), "", command);
        assertThat(r.exit()).as("exit of %s; output:%n%s", String.join(" ", command), r.output()).isZero();
        return r.output();
    }

    /** What {@code openssl s_client}, run in {@code dir} with {@code options}, printed of a handshake with 127.0.0.1:{@code port}. */
    static String sClient(Path dir, int port, String... options) throws IOException, InterruptedException {
        return sClient(dir, "127.0.0.1", port, options);
    }

    /** As {@link #sClient(Path, int, String...)}, with {@code host}. */
    static String sClient(Path dir, String host, int port, String... options) throws IOException, InterruptedException {
        String[] base = {"openssl", "s_client", "-connect", host + ":" + port};
        String[] command = new String[base.length + options.length];
        System.arraycopy(base, 0, command, 0, base.length);
        System.arraycopy(options, 0, command, base.length, options.length);
        return run(dir, Duration.ofSeconds(20), "", command).output();
    }
}
