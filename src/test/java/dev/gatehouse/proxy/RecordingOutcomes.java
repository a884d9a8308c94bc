package dev.gatehouse.proxy;

import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.OutcomeListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers every outcome reported, as {@code "success pool/address"} or {@code "failure pool/address"}. */
public final class RecordingOutcomes implements OutcomeListener {

    private final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void success(Endpoint endpoint) {
        events.add("success " + endpoint);
    }

    @Override
    public void failure(Endpoint endpoint) {
        events.add("failure " + endpoint);
    }

    public List<String> events() {
        return List.copyOf(events);
    }
}
