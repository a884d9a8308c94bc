package dev.gatehouse.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads a config file into one validated {@link GatehouseConfig}, or reports every error in it at once.
 *
 * <p>The YAML is composed into a node tree (not bound to objects) and walked section by section, so each error
 * names the line and key path of what is wrong. Checks across sections (pool and VIP references, bind
 * conflicts, cluster membership) run after the sections are read.
 */
public final class ConfigLoader {

    private static final String[] SECTIONS = {"node", "listeners", "pools", "cluster", "alerts", "gslb"};

    private ConfigLoader() {}

    /** Reads and validates {@code file}; a relative {@code cluster.secret_file} is resolved from its directory. */
    public static ConfigResult load(Path file) {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (IOException e) {
            return ConfigResult.invalid(List.of(new ConfigError(file.toString(), 0, "", "cannot read the file: " + e)));
        }
        return parse(yaml, file.toString(), directoryOf(file), null);
    }

    /** Validates a whole config given as text; {@code fileName} labels the errors and locates relative paths. */
    public static ConfigResult parse(String yaml, String fileName) {
        return parse(yaml, fileName, directoryOf(fileName), null);
    }

    /**
     * Validates the cluster-wide part of a config (everything but {@code node:}, as sent to
     * {@code PUT /api/v1/config}) and combines it with this process's {@code node}. A {@code node:} key in the
     * body is an error. A relative {@code secret_file} is resolved from the directory of {@code fileName}.
     */
    public static ConfigResult parseClusterWide(String yaml, String fileName, NodeConfig node) {
        return parseClusterWide(yaml, fileName, node, directoryOf(fileName));
    }

    /** As {@link #parseClusterWide(String, String, NodeConfig)}, resolving a relative secret_file from {@code baseDir}. */
    public static ConfigResult parseClusterWide(String yaml, String fileName, NodeConfig node, Path baseDir) {
        Objects.requireNonNull(node, "node");
        return parse(yaml, fileName, baseDir, node);
    }

    /**
     * Validates a cluster-wide body as every cluster member must, identically: a pure function of the text. It
     * touches nothing of this machine (the secret file is not looked up, no node section is combined, so a clash
     * with one node's admin address is that node's local matter), so the same text gets the same answer on every
     * member. The result's {@code node} has no id.
     */
    public static ConfigResult parseShared(String yaml, String label) {
        return parse(yaml, label, null, new NodeConfig(null, null));
    }

    /**
     * @param baseDir where relative paths are resolved and looked up; null to look nothing up
     * @param localNode null to read {@code node:} from the text, else the node to combine with a cluster-wide body
     */
    private static ConfigResult parse(String yaml, String file, Path baseDir, NodeConfig localNode) {
        ErrorList errors = new ErrorList(file);
        Node tree = compose(yaml, errors);
        if (tree == null) {
            return ConfigResult.invalid(errors.sorted());
        }
        YamlNode root = YamlNode.root(tree, errors);
        if (!root.expectKeys(SECTIONS)) {
            return ConfigResult.invalid(errors.sorted());
        }
        BindTable binds = new BindTable();
        NodeConfig node;
        if (localNode == null) {
            node = NodeSection.read(root, binds, baseDir);
        } else {
            node = localNode;
            YamlNode stray = root.fields().get("node");
            if (stray != null) {
                stray.keyError("is local to each process and not part of the cluster-wide config; remove it");
            }
        }
        Map<String, PoolConfig> pools = PoolsSection.read(root.get("pools"), baseDir);
        YamlNode clusterNode = root.get("cluster");
        ClusterConfig cluster = clusterNode == null ? null : ClusterSection.read(clusterNode, baseDir);
        YamlNode alertsNode = root.get("alerts");
        AlertsConfig alerts = alertsNode == null ? null : AlertsSection.read(alertsNode, baseDir);
        List<ListenerConfig> listeners = new ListenersSection(pools.keySet(), vipAddresses(clusterNode, cluster), binds, baseDir).read(root);
        GslbConfig gslb = GslbSection.read(root.get("gslb"), binds);
        if (cluster != null) {
            // In a file, blame node.id; for a cluster-wide body the node is given, so blame the member list.
            YamlNode at = localNode == null ? root.get("node").get("id") : clusterNode.get("members");
            if (at != null) {
                ClusterSection.checkMembership(cluster, node.id(), at);
            }
            YamlNode nodeSection = root.get("node");
            boolean witness = cluster.members().stream()
                    .anyMatch(m -> m.id().equals(node.id()) && m.role() == ClusterConfig.Role.WITNESS);
            if (localNode == null && !witness && nodeSection != null && nodeSection.isMapping() && !nodeSection.has("bgp")) {
                requireSpeaker(clusterNode);
            }
        }
        return errors.isEmpty()
                ? ConfigResult.valid(new GatehouseConfig(node, listeners, pools, cluster, alerts, gslb), errors.warnings())
                : ConfigResult.invalid(errors.sorted());
    }

    /** A node file whose cluster has {@code driver: bgp} VIPs needs {@code node.bgp} to announce them (a witness announces none). */
    private static void requireSpeaker(YamlNode clusterNode) {
        for (YamlNode vip : clusterNode.list("vips")) {
            YamlNode driver = vip.isMapping() ? vip.get("driver") : null;
            if (driver != null && driver.isScalar("bgp")) {
                driver.error("driver bgp needs node.bgp (local_as, router_id, peers) on this node");
            }
        }
    }

    /** The YAML node tree, or null after recording a syntax error or an empty document. */
    private static Node compose(String yaml, ErrorList errors) {
        try {
            Node tree = new Yaml(new LoaderOptions()).compose(new StringReader(yaml));
            if (tree == null) {
                errors.add(1, "", "the config is empty");
            }
            return tree;
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String context = e.getContext() == null || e.getContextMark() == null ? ""
                    : " (" + e.getContext() + " at line " + (e.getContextMark().getLine() + 1) + ")";
            errors.add(mark == null ? 0 : mark.getLine() + 1, "", "invalid YAML: " + e.getProblem() + context);
        } catch (YAMLException e) {
            errors.add(0, "", "invalid YAML: " + e.getMessage());
        }
        return null;
    }

    /** VIP name to address (null when the address is bad), or null when the file has no cluster section. */
    private static Map<String, String> vipAddresses(YamlNode clusterNode, ClusterConfig cluster) {
        if (clusterNode == null) {
            return null;
        }
        Map<String, String> vips = new LinkedHashMap<>();
        if (cluster != null) {
            cluster.vips().forEach(vip -> vips.put(vip.name(), vip.address()));
        }
        return vips;
    }

    private static Path directoryOf(String fileName) {
        try {
            return directoryOf(Path.of(fileName));
        } catch (InvalidPathException e) {
            return Path.of("").toAbsolutePath();
        }
    }

    private static Path directoryOf(Path file) {
        return file.toAbsolutePath().getParent();
    }
}
