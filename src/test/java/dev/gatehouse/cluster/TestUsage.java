package dev.gatehouse.cluster;

import dev.gatehouse.limit.UsageExchange;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A limiter's usage as the cluster sees it: requests a test admits here, and what the other nodes reported. */
final class TestUsage implements UsageExchange {

    record Use(String listener, String client, long requests) {}

    private final Queue<Use> local = new ConcurrentLinkedQueue<>();
    final Queue<Use> absorbed = new ConcurrentLinkedQueue<>();

    void admitted(String listener, String client, long requests) {
        local.add(new Use(listener, client, requests));
    }

    @Override
    public void drainLocal(Sink sink) {
        for (Use u; (u = local.poll()) != null; ) {
            sink.usage(u.listener(), u.client(), u.requests());
        }
    }

    @Override
    public void absorbRemote(String listener, String client, long requests) {
        absorbed.add(new Use(listener, client, requests));
    }

    List<Use> absorbedList() {
        return List.copyOf(absorbed);
    }
}
