package dev.gatehouse.limit;

/**
 * What a per-client rate limit shares with the other nodes, so that a client reaching several nodes gets about
 * its limit in total, not its limit per node. The data path only counts; a control-plane task drains the local
 * counts now and then, sends them to the peers, and hands the peers' counts to {@link #absorbRemote}.
 */
public interface UsageExchange {

    /** Receives one client's requests admitted locally on one listener. */
    @FunctionalInterface
    interface Sink {
        void usage(String listener, String client, long requests);
    }

    /** Hands every client's requests admitted here since the previous call to {@code sink}, and forgets them. */
    void drainLocal(Sink sink);

    /** Debits {@code requests} that {@code client} made on {@code listener} at another node. */
    void absorbRemote(String listener, String client, long requests);
}
