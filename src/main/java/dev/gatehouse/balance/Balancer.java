package dev.gatehouse.balance;

import dev.gatehouse.pool.Endpoint;

/**
 * Chooses an endpoint for each request or connection. Built once over a fixed set of weighted
 * endpoints (a new one is built when that set changes), called concurrently from every event loop,
 * and never allocates on a pick. Implementations are package-private; see {@link Balancers}.
 */
public interface Balancer {

    /**
     * @param hash the request's 64-bit hash key; read only by hashing policies
     * @return the chosen endpoint, or null when the balancer has none
     */
    Endpoint pick(long hash);
}
