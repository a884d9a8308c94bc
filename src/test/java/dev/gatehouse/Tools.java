package dev.gatehouse;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real peers from Debian packages (promtool, alertmanager, chromium, systemd-analyze): a test that needs one skips
 * without it, except in CI ({@code CI=true}), where a missing tool fails the test.
 */
public final class Tools {

    private Tools() {}

    /** The path of {@code command} on PATH (or the absolute path itself); skips or fails when it is not there. */
    public static Path require(String command, String debianPackage) {
        Path found = find(command);
        if (found == null) {
            String why = command + " not found (Debian package " + debianPackage + ")";
            if ("true".equals(System.getenv("CI"))) {
                fail(why + "; CI=true, so this fails rather than skips");
            }
            assumeTrue(false, why + "; skipped");
        }
        return found;
    }

    /** What a finished command printed (stdout and stderr together) and its exit status. */
    public record Output(int exit, String text) {}

    /** Runs {@code command} in {@code dir} (null: here) with {@code stdin} (null: none), within 30 s. */
    public static Output run(List<String> command, Path dir, String stdin) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        Process p = builder.start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command + " did not finish within 30 s");
        }
        return new Output(p.exitValue(), text);
    }

    private static Path find(String command) {
        if (command.startsWith("/")) {
            return Files.isExecutable(Path.of(command)) ? Path.of(command) : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
