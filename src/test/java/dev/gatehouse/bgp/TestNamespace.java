package dev.gatehouse.bgp;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.Tools;
import java.util.ArrayList;
import java.util.List;

/**
 * A network namespace of the test's own whose {@code lo} carries lab addresses (192.0.2.0/24), for peers
 * that refuse a loopback next hop (GoBGP). It has no route out and is deleted by name on close.
 */
final class TestNamespace implements AutoCloseable {

    private final String name;

    private TestNamespace(String name) {
        this.name = name;
    }

    /** Needs root and iproute2: skipped without them, failed under CI=true. */
    static TestNamespace create(String... addresses) {
        boolean root = ProcessHandle.current().info().user().map("root"::equals).orElse(false);
        if (!root && "true".equals(System.getenv("CI"))) {
            fail("a network namespace needs root, and CI=true");
        }
        assumeTrue(root, "a network namespace needs root; skipped");
        Tools.require("ip", "iproute2");
        TestNamespace ns = new TestNamespace("ghbgp" + ProcessHandle.current().pid());
        ns.delete();
        ns.must(List.of("ip", "netns", "add", ns.name));
        ns.must(ns.exec("ip", "link", "set", "lo", "up"));
        for (String address : addresses) {
            ns.must(ns.exec("ip", "addr", "add", address + "/32", "dev", "lo"));
        }
        return ns;
    }

    /** {@code command} run inside the namespace. */
    List<String> exec(String... command) {
        List<String> full = new ArrayList<>(prefix());
        full.addAll(List.of(command));
        return full;
    }

    List<String> prefix() {
        return List.of("ip", "netns", "exec", name);
    }

    private void must(List<String> command) {
        String out = PeerProcess.run(command);
        if (!out.isBlank()) {
            close();
            throw new IllegalStateException(String.join(" ", command) + ": " + out);
        }
    }

    private void delete() {
        PeerProcess.run(List.of("ip", "netns", "del", name));
    }

    @Override
    public void close() {
        delete();
    }
}
