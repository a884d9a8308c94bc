package dev.gatehouse.bgp;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Tests that need a Debian tool skip without it, except under CI=true, where a missing tool fails them. */
public final class Tools {

    private Tools() {}

    public static void require(String command, String pkg) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            found |= Files.isExecutable(Path.of(dir, command));
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin"}) {
            found |= Files.isExecutable(Path.of(dir, command));
        }
        if (!found && "true".equals(System.getenv("CI"))) {
            fail(command + " (Debian package " + pkg + ") is missing and CI=true");
        }
        assumeTrue(found, command + " (Debian package " + pkg + ") is not installed; skipped");
    }
}
