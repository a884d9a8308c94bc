package dev.gatehouse.config;

import java.nio.file.Path;

/** Reads {@code node:}, the process-local section. */
final class NodeSection {

    private NodeSection() {}

    /** @param baseDir where a relative {@code data_dir} is resolved: the config file's directory */
    static NodeConfig read(YamlNode root, BindTable binds, Path baseDir) {
        YamlNode node = root.require("node");
        if (node == null || !node.expectKeys("id", "admin", "data_dir")) {
            return new NodeConfig(null, null);
        }
        HostPort admin = node.get("admin", Addresses::listenAddress, null);
        if (admin != null) {
            binds.claim(admin, "node.admin", node.get("admin"));
        }
        String dataDir = node.get("data_dir", Values.TEXT, null);
        return new NodeConfig(node.require("id", Names::identifier), admin,
                dataDir == null ? null : baseDir.resolve(dataDir).normalize());
    }
}
