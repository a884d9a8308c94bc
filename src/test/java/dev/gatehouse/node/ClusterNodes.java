package dev.gatehouse.node;

import dev.gatehouse.FreePorts;
import dev.gatehouse.time.Ticker;
import java.nio.file.Files;
import java.nio.file.Path;

/** Cluster members in this JVM for loopback tests: each its own node section over one shared config. */
public final class ClusterNodes {

    private ClusterNodes() {
    }

    /** Writes {@code id}'s config (its node section, then {@code shared}) into {@code dir} and starts it. */
    public static Node start(Path dir, String id, String shared) throws Exception {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(file, "node: { id: " + id + " }\n" + shared);
        return Node.start(file, Ticker.system());
    }

    /**
     * A {@code cluster:} section for members lb1 (priority 150), lb2 and witness w1 on free ports of {@code host}, with
     * VIP front on 127.0.0.10 (loopback driver); the secret is {@code cluster.key}.
     *
     * @param preempt the VIP's {@code preempt:} value
     */
    public static String clusterSection(String host, String name, String lease, String preempt) {
        return """
                cluster:
                  name: %s
                  lease: %s
                  secret_file: cluster.key
                  members:
                    - { id: lb1, address: "%s:%d", priority: 150 }
                    - { id: lb2, address: "%s:%d", priority: 100 }
                    - { id: w1, address: "%s:%d", role: witness }
                  vips:
                    - { name: front, address: 127.0.0.10, driver: loopback, preempt: %s }
                """.formatted(name, lease, host, FreePorts.cluster(host), host, FreePorts.cluster(host), host, FreePorts.cluster(host), preempt);
    }

    /** Whether {@code node} serves the cluster's first VIP, by its own account. */
    public static boolean ownedHere(Node node) {
        return node.status().cluster().vips().getFirst().ownedHere();
    }
}
