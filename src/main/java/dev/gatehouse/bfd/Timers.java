package dev.gatehouse.bfd;

/**
 * The clock and scheduler a session runs on: an event loop in production, a stepped clock in tests. Every call
 * comes from that one thread, and tasks run on it too.
 */
interface Timers {

    long nanoTime();

    /** Runs {@code task} once, {@code delayNanos} from now (at once when not positive); the result cancels it. */
    Runnable schedule(long delayNanos, Runnable task);
}
