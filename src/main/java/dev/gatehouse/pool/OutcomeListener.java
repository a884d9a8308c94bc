package dev.gatehouse.pool;

/**
 * Told by the data plane how each request or connect to an endpoint ended (passive health).
 * Called on event-loop threads: implementations must not block.
 */
public interface OutcomeListener {

    OutcomeListener IGNORE = new OutcomeListener() {
        @Override
        public void success(Endpoint endpoint) {}

        @Override
        public void failure(Endpoint endpoint) {}
    };

    void success(Endpoint endpoint);

    /** A connect failure, a reset, a timeout or a 5xx from the endpoint. */
    void failure(Endpoint endpoint);
}
