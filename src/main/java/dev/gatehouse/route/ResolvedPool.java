package dev.gatehouse.route;

import dev.gatehouse.config.PoolConfig;
import dev.gatehouse.pool.OutcomeListener;
import dev.gatehouse.pool.Pool;
import dev.gatehouse.pool.PoolView;
import dev.gatehouse.stick.StickTable;
import dev.gatehouse.tls.UpstreamTls;

/**
 * A pool as the data plane sees it at one instant: its config, the view its health published last, its stick
 * table and where outcomes go. Immutable: a health change or a reload publishes a new {@link RouteTable} holding a
 * new one, and an exchange keeps the one it started with.
 *
 * @param stick null when the pool has no stick table
 * @param tls null when the pool speaks cleartext to its endpoints
 */
public record ResolvedPool(PoolConfig config, PoolView view, StickTable stick, OutcomeListener outcomes, UpstreamTls tls) {

    /** The pool's state now; control plane only (it reads the pool's published fields). */
    public static ResolvedPool of(Pool pool) {
        return new ResolvedPool(pool.config(), pool.view(), pool.stick(), pool.outcomes(), pool.tls());
    }
}
