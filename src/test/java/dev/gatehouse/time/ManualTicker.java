package dev.gatehouse.time;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker tests advance by hand. */
public final class ManualTicker implements Ticker {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Override
    public long nanos() {
        return now.get();
    }

    public void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }
}
