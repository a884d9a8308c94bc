package dev.gatehouse.gslb;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Debian tools the DNS tests run (dig, kdig, knotd): found, or the test skipped (failed when CI=true). */
final class Tools {

    private Tools() {}

    /** The path of {@code command}; a missing one skips the test, or fails it in CI. */
    static String require(String command, String debianPackage) {
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin")) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        String why = command + " is not installed (Debian package " + debianPackage + "; bin/packages.sh installs it)";
        if ("true".equals(System.getenv("CI"))) {
            fail(why);
        }
        assumeTrue(false, why);
        return null;
    }

    /** Runs {@code command} to completion (at most 20 s) and returns what it printed, stdout then stderr. */
    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                fail(String.join(" ", command) + " did not finish within 20 s");
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }
}
