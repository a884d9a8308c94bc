package dev.gatehouse.proxy;

import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.EndpointStatus;
import dev.gatehouse.pool.PoolView;
import dev.gatehouse.stick.StickTable;
import java.util.BitSet;
import java.util.List;

/** Picks an endpoint for a request that has not been tried for it yet: the first choice, then the retries. */
public final class EndpointPicker {

    /** Picks with a perturbed hash before falling back to a scan; enough for any balancer to move on. */
    private static final int REPICKS = 8;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private EndpointPicker() {}

    /**
     * @param tried endpoints (by {@link Endpoint#index()}) already tried for this request; null when none
     * @return an untried endpoint the view's balancer (or, failing that, its list) offers; null when none is left
     */
    public static Endpoint pick(PoolView view, long hash, BitSet tried) {
        long h = hash;
        for (int i = 0; i < REPICKS; i++) {
            Endpoint e = view.balancer().pick(h);
            if (e == null || tried == null || !tried.get(e.index())) {
                return e;
            }
            h = mix(h + GOLDEN);
        }
        return firstUntried(view, tried);
    }

    /** The endpoint of {@code view} whose {@link Endpoint#key()} is {@code key}, if it takes traffic now; else null. */
    public static Endpoint serving(PoolView view, long key) {
        if (key == StickTable.NONE) {
            return null;
        }
        List<EndpointStatus> all = view.endpoints();
        for (int i = 0; i < all.size(); i++) {
            EndpointStatus s = all.get(i);
            if (s.endpoint().key() == key && s.state().serving()) {
                return s.endpoint();
            }
        }
        return null;
    }

    /** The balancer keeps landing on tried endpoints (a hash with few choices left): take any other that serves. */
    private static Endpoint firstUntried(PoolView view, BitSet tried) {
        List<EndpointStatus> all = view.endpoints();
        for (int i = 0; i < all.size(); i++) {
            EndpointStatus s = all.get(i);
            if ((view.panic() || s.state().serving()) && !tried.get(s.endpoint().index())) {
                return s.endpoint();
            }
        }
        return null;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
