package dev.gatehouse;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

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
