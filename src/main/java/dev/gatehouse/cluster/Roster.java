package dev.gatehouse.cluster;

import dev.gatehouse.config.ClusterConfig;
import dev.gatehouse.config.ClusterConfig.MemberConfig;
import dev.gatehouse.config.ClusterConfig.Role;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/** The fixed facts of the cluster config every member agrees on: who is a member, who may own, which VIPs. */
record Roster(String name, Map<String, MemberConfig> members, Map<String, VipConfig> vips, java.time.Duration lease) {

    static Roster of(ClusterConfig config) {
        Map<String, MemberConfig> members = new LinkedHashMap<>();
        for (MemberConfig m : config.members()) {
            if (members.put(m.id(), m) != null) {
                throw new IllegalArgumentException("cluster.members: duplicate id " + m.id());
            }
        }
        Map<String, VipConfig> vips = new LinkedHashMap<>();
        for (VipConfig v : config.vips()) {
            if (vips.put(v.name(), v) != null) {
                throw new IllegalArgumentException("cluster.vips: duplicate name " + v.name());
            }
        }
        return new Roster(config.name(), Map.copyOf(members), Map.copyOf(vips), config.lease());
    }

    /** Whether {@code config} describes this same cluster: name, members, VIPs and lease (the secret's path may differ). */
    boolean sameCluster(ClusterConfig config) {
        try {
            return equals(of(config));
        } catch (IllegalArgumentException duplicate) {
            return false;
        }
    }

    /** May own VIPs: a member with role node. */
    boolean isNode(String id) {
        MemberConfig m = members.get(id);
        return m != null && m.role() == Role.NODE;
    }

    int priority(String id) {
        return members.get(id).priority();
    }

    long witnesses() {
        return members.values().stream().filter(m -> m.role() == Role.WITNESS).count();
    }
}
