package dev.gatehouse.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The node's part and the cluster's part of a config file's text. In a cluster the nodes share the config without
 * its {@code node:} section, which stays each node's own.
 */
final class ConfigText {

    private static final YAMLMapper YAML = new YAMLMapper();

    private ConfigText() {}

    /** A whole config file's text without its {@code node:} section: the part the cluster shares. */
    static String withoutNode(String text) {
        try {
            ObjectNode tree = (ObjectNode) YAML.readTree(text);
            tree.remove("node");
            return YAML.writeValueAsString(tree);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a validated config no longer parses", e);
        }
    }

    /** Only the {@code node:} section of a whole config file's text, as a YAML document of its own. */
    static String nodeSection(String text) {
        try {
            ObjectNode root = YAML.createObjectNode();
            root.set("node", YAML.readTree(text).get("node"));
            return YAML.writeValueAsString(root).replaceFirst("^---\\s*\n", "");
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the running config no longer parses", e);
        }
    }
}
