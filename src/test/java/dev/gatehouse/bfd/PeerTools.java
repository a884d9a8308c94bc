package dev.gatehouse.bfd;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The Debian tools these tests run as peers: skipped where missing, a failure where CI=true says all must be there. */
final class PeerTools {

    private PeerTools() {}

    /** The path of {@code command} (a name looked up in PATH, or an absolute path); skips or fails when absent. */
    static Path require(String command) {
        Path found = find(command);
        if (found == null) {
            String why = command + " is not installed (bin/packages.sh installs it)";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            assumeTrue(false, why + "; skipped");
        }
        return found;
    }

    /** Skips (or under CI=true fails) unless this runs as root: network namespaces need it. */
    static void requireRoot() {
        boolean root = ProcessHandle.current().info().user().map("root"::equals).orElse(false);
        if (!root) {
            if ("true".equals(System.getenv("CI"))) {
                fail("network namespaces need root");
            }
            assumeTrue(false, "network namespaces need root; skipped");
        }
    }

    private static Path find(String command) {
        if (command.startsWith("/")) {
            return Files.isExecutable(Path.of(command)) ? Path.of(command) : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin"}) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
