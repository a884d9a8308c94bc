package dev.gatehouse.proxy.http;

import dev.gatehouse.accesslog.Termination;
import dev.gatehouse.config.PoolConfig;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.proxy.EndpointChoice;
import dev.gatehouse.proxy.http.codec.Framing;
import dev.gatehouse.proxy.http.codec.Refusal;
import dev.gatehouse.route.ResolvedPool;
import dev.gatehouse.route.RouteTable;
import dev.gatehouse.stick.StickTable;

/**
 * Where a request goes: the pool of the first route it matches in the listener's route table, then its endpoint by
 * affinity (the sticky cookie, the stick table, a hashing balancer's key) or the balancer's pick.
 */
final class Routing {

    private Routing() {}

    /**
     * Starts the request's endpoint choice on the pool of its route in the listener's current route table, with its
     * affinity and hash keys; false when it is refused instead.
     */
    static boolean route(ClientConnection c) {
        RouteTable routes = c.listener.routes();
        int route = routes.route(c);
        if (route < 0) {
            c.refuse(Refusal.NO_ROUTE, "no route matches");
            return false;
        }
        c.route = route;
        ResolvedPool pool = routes.pool(route);
        if (pool == null) {
            // the choice is the event loop's, reused: what it holds is another exchange's, not to be logged as this one's
            c.codecs.choice.reset(null, 0, StickTable.NONE);
            c.answerAndClose(503, Termination.NO_ENDPOINT);
            return false;
        }
        PoolConfig config = pool.config();
        long affinityKey = config.balance().hashing() || pool.stick() != null
                ? RequestKeys.key(config.hashOn(), c.codecs.request, c.sourceHash) : StickTable.NONE;
        c.codecs.choice.reset(pool, config.balance().hashing() ? RequestKeys.hash(affinityKey) : 0, affinityKey);
        return true;
    }

    /** Chooses the endpoint and connects, once the request may reach a backend. */
    static void proceed(ClientConnection c) {
        ExchangeCodecs codecs = c.codecs;
        if (codecs.request.framing() == Framing.CHUNKED && !codecs.request.expectContinue() && !RequestBody.firstChunkLineValid(c)) {
            return;
        }
        ResolvedPool pool = codecs.choice.pool();
        PoolConfig config = pool.config();
        Endpoint sticky = config.stickyCookie() == null ? null
                : RequestKeys.sticky(pool.view(), codecs.request.cookie(config.stickyCookie()));
        if (sticky == null) {
            sticky = codecs.choice.stuck();
            if (sticky != null && config.stickyCookie() != null) {
                c.stickyAssign = sticky;
            }
        }
        if (sticky != null) {
            UpstreamExchange.use(c, sticky);
        } else {
            pickAndConnect(c, Termination.NO_ENDPOINT);
        }
    }

    /**
     * The balancer's pick among the endpoints not tried yet for this request; 503 when there is none at all, else
     * 502 for {@code ifNone}, why the last attempt failed.
     */
    static void pickAndConnect(ClientConnection c, Termination ifNone) {
        EndpointChoice choice = c.codecs.choice;
        Endpoint chosen = choice.pick();
        if (chosen == null) {
            UpstreamExchange.fail(c, choice.attempts() == 0 ? 503 : 502, choice.attempts() == 0 ? Termination.NO_ENDPOINT : ifNone);
            return;
        }
        if (choice.pool().config().stickyCookie() != null) {
            c.stickyAssign = chosen;
        }
        UpstreamExchange.use(c, chosen);
    }
}
