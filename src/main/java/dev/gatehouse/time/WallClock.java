package dev.gatehouse.time;

/**
 * Wall-clock milliseconds since the epoch, for the few things whose time must mean the same on every node (expiry
 * of replicated entries, the age of a replicated message). Everything else measures with a {@link Ticker}.
 */
@FunctionalInterface
public interface WallClock {

    long millis();

    static WallClock system() {
        return System::currentTimeMillis;
    }
}
