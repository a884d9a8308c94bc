package dev.gatehouse.config;

import java.nio.file.Path;

/** Reads {@code node:}, the process-local section. */
final class NodeSection {

    private NodeSection() {}

    /** @param baseDir where relative {@code data_dir} and token files are resolved: the config file's directory */
    static NodeConfig read(YamlNode root, BindTable binds, Path baseDir) {
        YamlNode node = root.require("node");
        if (node == null || !node.expectKeys("id", "admin", "data_dir", "zone", "bgp")) {
            return new NodeConfig(null, null);
        }
        HostPort admin = null;
        AdminAccess access = AdminAccess.READ_ONLY;
        YamlNode adminNode = node.get("admin");
        if (adminNode != null && adminNode.isMapping()) {
            // long form: { bind: HOST:PORT, token_file: FILE, read_token_file: FILE }
            if (adminNode.expectKeys("bind", "token_file", "read_token_file")) {
                admin = adminNode.require("bind", Addresses::listenAddress);
                access = TokenFiles.read(adminNode, baseDir);
            }
        } else {
            admin = node.get("admin", Addresses::listenAddress, null);
        }
        if (admin != null) {
            binds.claim(admin, "node.admin", adminNode);
        }
        String dataDir = node.get("data_dir", Values.TEXT, null);
        return new NodeConfig(node.require("id", Names::identifier), admin,
                dataDir == null ? null : baseDir.resolve(dataDir).normalize(), access, node.get("zone", Names::identifier, null),
                BgpSection.read(node.get("bgp"), baseDir));
    }
}
