package dev.gatehouse.config;

/** Reads {@code node:}, the process-local section. */
final class NodeSection {

    private NodeSection() {}

    static NodeConfig read(YamlNode root, BindTable binds) {
        YamlNode node = root.require("node");
        if (node == null || !node.expectKeys("id", "admin")) {
            return new NodeConfig(null, null);
        }
        HostPort admin = node.get("admin", Addresses::listenAddress, null);
        if (admin != null) {
            binds.claim(admin, "node.admin", node.get("admin"));
        }
        return new NodeConfig(node.require("id", Names::identifier), admin);
    }
}
