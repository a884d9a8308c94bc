package dev.gatehouse.route;

import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.config.RouteConfig;
import java.util.List;
import java.util.function.Function;

/**
 * Everything one listener's data plane reads, in one immutable value: the listener's config, its compiled routes
 * and, for each route, the pool it sends to, resolved. The node builds a new table on every reload and every
 * health change and swaps it into the listener in one write; a request reads the table once and never looks a
 * pool up by name.
 */
public final class RouteTable {

    private final ListenerConfig config;
    private final Router router;
    /** By route position; an element is null while the route names a pool that does not exist. */
    private final ResolvedPool[] routePools;
    /** A tcp listener's pool ({@code pool:}); null when it has none or it does not exist. */
    private final ResolvedPool pool;

    private RouteTable(ListenerConfig config, Router router, ResolvedPool[] routePools, ResolvedPool pool) {
        this.config = config;
        this.router = router;
        this.routePools = routePools;
        this.pool = pool;
    }

    /** @param pools the pool of a name now, or null when there is none */
    public static RouteTable of(ListenerConfig config, Function<String, ResolvedPool> pools) {
        List<RouteConfig> routes = config.routes();
        ResolvedPool[] byRoute = new ResolvedPool[routes.size()];
        for (int i = 0; i < byRoute.length; i++) {
            byRoute[i] = pools.apply(routes.get(i).pool());
        }
        return new RouteTable(config, new Router(routes), byRoute, config.pool() == null ? null : pools.apply(config.pool()));
    }

    public ListenerConfig config() {
        return config;
    }

    /** The first route the request matches, as a position for {@link #pool(int)}, or -1 when none does. */
    public int route(RequestFacts request) {
        return router.index(request);
    }

    /** The pool route {@code route} sends to; null when no pool of that name exists now. */
    public ResolvedPool pool(int route) {
        return routePools[route];
    }

    /** The listener's own pool (tcp); null when none exists now. */
    public ResolvedPool pool() {
        return pool;
    }
}
