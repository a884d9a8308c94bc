package dev.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The command-line tools the TLS tests drive (openssl, curl, keytool, testssl): found, run with a bound, output kept. */
final class Tools {

    /** What a finished command did. */
    record Result(int exit, String output) {}

    private Tools() {}

    /** Skips the test when {@code command} is not on the PATH, or fails it under CI=true (bin/packages.sh installs it). */
    static void require(String command) {
        boolean found = List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
        if ("true".equals(System.getenv("CI"))) {
            assertThat(found).as("%s on the PATH (CI=true: a missing tool fails the test)", command).isTrue();
        }
        assumeTrue(found, command + " is not installed; skipped");
    }

    /** Runs {@code command} in {@code dir} with stdin from {@code input}, stdout and stderr together, within {@code bound}. */
    static Result run(Path dir, Duration bound, String input, String... command) throws IOException, InterruptedException {
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
}
