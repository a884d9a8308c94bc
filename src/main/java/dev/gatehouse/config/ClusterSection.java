package dev.gatehouse.config;

import dev.gatehouse.config.ClusterConfig.MemberConfig;
import dev.gatehouse.config.ClusterConfig.Role;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads {@code cluster:}: its members, shared secret and VIPs. */
final class ClusterSection {

    private ClusterSection() {}

    /**
     * @param baseDir where a relative {@code secret_file} is found: the config file's directory; null to take the
     *     path as written without looking it up (validation that must not depend on the machine)
     */
    static ClusterConfig read(YamlNode c, Path baseDir) {
        if (!c.expectKeys("name", "secret_file", "members", "vips", "lease")) {
            return null;
        }
        return new ClusterConfig(
                c.require("name", Names::identifier),
                secretFile(c, baseDir),
                members(c),
                VipsSection.read(c.list("vips")),
                c.get("lease", ClusterSection::lease, ClusterConfig.DEFAULT_LEASE));
    }

    private static Duration lease(String text) {
        Duration d = Durations.parse(text);
        if (d.compareTo(ClusterConfig.MIN_LEASE) < 0 || d.compareTo(ClusterConfig.MAX_LEASE) > 0) {
            throw new IllegalArgumentException("must be between " + Durations.format(ClusterConfig.MIN_LEASE) + " and "
                    + Durations.format(ClusterConfig.MAX_LEASE) + ", got " + text + ": an owner must keep its lease through a "
                    + "leader election (up to 300ms) and a renewal, and a takeover whose cause cannot be confirmed waits "
                    + "about 1.1 leases");
        }
        return d;
    }

    /** Reports when the node this process runs as is not a member of the cluster. */
    static void checkMembership(ClusterConfig cluster, String nodeId, YamlNode at) {
        if (cluster == null || nodeId == null) {
            return;
        }
        List<String> ids = cluster.members().stream().map(MemberConfig::id).toList();
        if (!ids.contains(nodeId)) {
            at.error("node '" + nodeId + "' is not among cluster.members (" + String.join(", ", ids) + ")"
                    + Suggestions.didYouMean(nodeId, ids));
        }
    }

    private static Path secretFile(YamlNode c, Path baseDir) {
        String name = c.require("secret_file", Values.TEXT);
        return name == null ? null : ConfigPaths.readableFile(c.get("secret_file"), name, baseDir);
    }

    private static List<MemberConfig> members(YamlNode c) {
        List<YamlNode> items = c.requireItems("members", "member");
        List<MemberConfig> members = new ArrayList<>();
        Duplicates<String> ids = new Duplicates<>("member id");
        Duplicates<HostPort> addresses = new Duplicates<>("member address");
        for (YamlNode m : items) {
            if (!m.expectKeys("id", "address", "priority", "role")) {
                continue;
            }
            String id = m.require("id", Names::identifier);
            ids.check(id, m.get("id"));
            HostPort address = m.require("address", Addresses::hostPort);
            addresses.check(address, m.get("address"));
            if (address != null && address.port() + MemberConfig.FENCE_PORT_OFFSET > 65535) {
                m.get("address").error("port " + address.port() + " leaves no room for the member's fence port (the cluster port + "
                        + MemberConfig.FENCE_PORT_OFFSET + "); use a port up to " + (65535 - MemberConfig.FENCE_PORT_OFFSET));
            }
            Role role = m.get("role", Values.oneOf(Role.class), Role.NODE);
            if (role == Role.WITNESS && m.has("priority")) {
                m.get("priority").keyError("a witness never owns a VIP, so it takes no priority");
            }
            members.add(new MemberConfig(id, address, m.get("priority", Values.integer(1, 255), 100), role));
        }
        for (MemberConfig a : members) {
            for (MemberConfig b : members) {
                if (a.fenceAddress().equals(b.address())) {
                    c.get("members").error("the fence port of " + a.id() + " (" + a.fenceAddress() + ", its cluster port + "
                            + MemberConfig.FENCE_PORT_OFFSET + ") is the cluster address of " + b.id());
                }
            }
        }
        if (items.size() == 1) {
            c.get("members").error("a cluster needs at least 2 members (omit cluster: to run a single node)");
        }
        if (items.size() > 1 && members.size() == items.size() && members.stream().allMatch(m -> m.role() == Role.WITNESS)) {
            c.get("members").error("needs at least one member with role node; witnesses serve no traffic");
        }
        return members;
    }
}
