package dev.gatehouse.time;

/**
 * A source of monotonic time in nanoseconds. Production code takes one instead of calling
 * {@link System#nanoTime()} so tests can step time rather than sleep.
 */
@FunctionalInterface
public interface Ticker {

    long nanos();

    static Ticker system() {
        return System::nanoTime;
    }
}
