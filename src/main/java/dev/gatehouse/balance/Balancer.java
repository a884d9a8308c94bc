package dev.gatehouse.balance;

/**
 * Chooses a target (an endpoint) for each request or connection. Built once over a fixed set of weighted
 * endpoints (a new one is built when that set changes), called concurrently from every event loop,
 * and never allocates on a pick. Implementations are package-private; see {@link Balancers}.
 */
public interface Balancer<T extends Target> {

    /**
     * @param hash the request's 64-bit hash key; read only by hashing policies
     * @return the chosen endpoint, or null when the balancer has none
     */
    T pick(long hash);
}
