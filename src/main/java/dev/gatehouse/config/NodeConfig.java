package dev.gatehouse.config;

import java.nio.file.Path;

/**
 * The process-local section: who this process is, where its admin API listens (null: none) and who may use it,
 * where it keeps cluster state (null: {@code data/ID} beside the config file), the zone it runs in (null: none, so
 * no pool prefers a zone), and its BGP speaker (null: none).
 */
public record NodeConfig(String id, HostPort admin, Path dataDir, AdminAccess adminAccess, String zone, BgpConfig bgp) {

    public NodeConfig(String id, HostPort admin) {
        this(id, admin, null, AdminAccess.READ_ONLY, null, null);
    }
}
