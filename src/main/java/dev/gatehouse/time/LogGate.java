package dev.gatehouse.time;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Lets a log line through at most once per interval, for what a broken or hostile peer can repeat at will (refused
 * requests, failed handshakes, malformed messages): a flood then costs a counter increment each, the first line
 * is written at once, and the next one tells how many were held back in between. Safe from any thread.
 */
public final class LogGate {

    private final Ticker ticker;
    private final long intervalNanos;
    private final AtomicLong opensAt;
    private final LongAdder held = new LongAdder();

    public LogGate(Ticker ticker, Duration interval) {
        this.ticker = ticker;
        this.intervalNanos = interval.toNanos();
        this.opensAt = new AtomicLong(ticker.nanos());
    }

    /**
     * Whether a line may be written now: -1 when not (the line is counted as held back), else how many lines were
     * held back since the last one written.
     */
    public long pass() {
        long now = ticker.nanos();
        long at = opensAt.get();
        if (now - at < 0 || !opensAt.compareAndSet(at, now + intervalNanos)) {
            held.increment();
            return -1;
        }
        return held.sumThenReset();
    }
}
