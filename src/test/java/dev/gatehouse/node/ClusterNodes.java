package dev.gatehouse.node;

import dev.gatehouse.time.Ticker;
import java.nio.file.Files;
import java.nio.file.Path;

/** Cluster members in this JVM for loopback tests: each its own node section over one shared config. */
final class ClusterNodes {

    private ClusterNodes() {
    }

    /** Writes {@code id}'s config (its node section, then {@code shared}) into {@code dir} and starts it. */
    static Node start(Path dir, String id, String shared) throws Exception {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(file, "node: { id: " + id + " }\n" + shared);
        return Node.start(file, Ticker.system());
    }

    /** Whether {@code node} serves the cluster's first VIP, by its own account. */
    static boolean ownedHere(Node node) {
        return node.status().cluster().vips().getFirst().ownedHere();
    }
}
