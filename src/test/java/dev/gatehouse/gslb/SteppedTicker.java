package dev.gatehouse.gslb;

import dev.gatehouse.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when the test steps it. */
final class SteppedTicker implements Ticker {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long nanos() {
        return nanos.get();
    }

    void step(Duration d) {
        nanos.addAndGet(d.toNanos());
    }
}
