package dev.gatehouse.node;

import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.proxy.ProxyListener;
import dev.gatehouse.route.RouteTable;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * Builds each listener's {@link RouteTable} from the pools in force and swaps it in: on a reload, for a listener
 * created or updated, and for every running listener whenever a pool's view, outcome listener or stick table
 * changes. Builds and swaps are serialised, and each reads the pools as they are when it runs, so the last one
 * leaves every listener with the current state.
 */
final class RouteTables {

    private final PoolSet pools;
    private final Supplier<Collection<ProxyListener>> running;

    RouteTables(PoolSet pools, Supplier<Collection<ProxyListener>> running) {
        this.pools = pools;
        this.running = running;
    }

    /** A table for {@code config} over the pools in force now. */
    synchronized RouteTable build(ListenerConfig config) {
        return RouteTable.of(config, pools::resolved);
    }

    /** Gives {@code listener} the table of {@code config}, which it takes as its config from now. */
    synchronized void install(ProxyListener listener, ListenerConfig config) {
        listener.update(build(config));
    }

    /** Rebuilds the table of every running listener from its config and the pools in force now. */
    synchronized void republish() {
        for (ProxyListener l : running.get()) {
            l.update(build(l.config()));
        }
    }
}
