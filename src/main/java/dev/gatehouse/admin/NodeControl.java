package dev.gatehouse.admin;

import java.util.List;

/** What the admin API can ask of the process it runs in. */
public interface NodeControl {

    StatusReport status();

    /** True when this node can serve traffic (listeners bound, not shutting down). */
    boolean healthy();

    /** The cluster-wide config (YAML, without {@code node:}) now in force. */
    String configYaml();

    /**
     * Validates and applies a new cluster-wide config.
     *
     * @return the errors (FILE:LINE key.path: why), empty when it was applied
     */
    List<String> replaceConfig(String yaml);

    long configVersion();

    /** @return false when there is no such pool or endpoint */
    boolean drain(String pool, String endpoint);

    boolean enable(String pool, String endpoint);

    /** Gives up owned VIPs gracefully and stops taking any; false when this process is not in a cluster. */
    boolean demote();

    /** Lets a demoted node own VIPs again; false when this process is not in a cluster. */
    boolean undemote();

    Events events();

    String metrics();
}
