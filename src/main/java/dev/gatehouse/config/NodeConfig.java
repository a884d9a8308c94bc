package dev.gatehouse.config;

import java.nio.file.Path;

/**
 * The process-local section: who this process is, where its admin API listens (null: none) and who may use it,
 * where it keeps cluster state (null: {@code data/ID} beside the config file), and its BGP speaker (null: none).
 */
public record NodeConfig(String id, HostPort admin, Path dataDir, AdminAccess adminAccess, BgpConfig bgp) {

    public NodeConfig(String id, HostPort admin) {
        this(id, admin, null, AdminAccess.READ_ONLY);
    }

    public NodeConfig(String id, HostPort admin, Path dataDir, AdminAccess adminAccess) {
        this(id, admin, dataDir, adminAccess, null);
    }
}
