package dev.gatehouse.admin;

import dev.gatehouse.history.HistoryReport;
import java.util.List;
import java.util.Map;

/** What the admin API can ask of the process it runs in. */
public interface NodeControl {

    StatusReport status();

    /** The last minutes of traffic, endpoint states and failovers, for the dashboard's graphs. */
    HistoryReport history();

    /**
     * Why this node cannot serve traffic now (a short sentence), or null when it can: not shutting down, its
     * config applied, and every pool behind its listeners with an endpoint that passes its checks.
     */
    String notServing();

    /** This node's GSLB server's own check verdicts (node, zone, targets), for its peers; null when it runs none. */
    default Map<String, Object> gslbVerdicts() {
        return null;
    }

    /** The cluster-wide config (YAML, without {@code node:}) now in force. */
    String configYaml();

    /**
     * Validates and applies a new cluster-wide config.
     *
     * @return the errors (FILE:LINE key.path: why), empty when it was applied
     */
    List<String> replaceConfig(String yaml);

    long configVersion();

    /**
     * Validates a cluster-wide config and commits it as a canary: it runs on {@code member} alone for {@code watch},
     * then is promoted to every node if that node's share of 5xx answers stayed at or below {@code maxErrorRate},
     * else rolled back.
     */
    default ConfigAnswer canaryConfig(String yaml, String member, java.time.Duration watch, double maxErrorRate) {
        return new ConfigAnswer(0, List.of("this node is not in a cluster: a canary needs one"));
    }

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
