package dev.gatehouse.bfd;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What these tests need besides their peers' tools ({@link dev.gatehouse.Tools#require}): root, for namespaces. */
final class PeerTools {

    private PeerTools() {}

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
}
