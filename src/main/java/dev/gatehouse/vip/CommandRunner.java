package dev.gatehouse.vip;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs the external commands a VIP driver needs ({@code ip}, {@code arping}) off the caller's thread. */
interface CommandRunner {

    /** How one command ended; {@code exitCode} is -1 when it could not start or ran past its timeout. */
    record Result(List<String> command, int exitCode, String output) {

        boolean ok() {
            return exitCode == 0;
        }

        /**
         * For an {@code ip addr del}: whether the address is gone now, deleted by it or not there to begin with
         * (EADDRNOTAVAIL: never added, its lifetime ran out, or the watchdog took it).
         */
        boolean addressGone() {
            return ok() || output.contains("Cannot assign requested address");
        }

        String describe() {
            return String.join(" ", command) + " -> exit " + exitCode + (output.isBlank() ? "" : ": " + output.strip());
        }
    }

    /** Starts {@code command}; the future completes when it has ended, never exceptionally. */
    CompletableFuture<Result> start(List<String> command);

    /**
     * Starts a guard process that runs {@code onSilence} as soon as this process stops feeding it for
     * {@code silence}, or dies (its end of the pipe closes). {@link Watchdog#stop} ends it without running anything.
     */
    Watchdog watch(List<String> onSilence, Duration silence);

    /** A running guard: feed it while all is well. */
    interface Watchdog {

        /**
         * How long a VIP's watchdog waits without a renewal before it deletes the address: lease - 100 ms (500 ms for
         * the default 600 ms lease). Renewals come every lease/3, so a healthy owner feeds it three times as often;
         * and the peer may take over only lease * 1.1 + 50 ms after the last renewal it saw, so the dead or stopped
         * owner's address is gone about 200 ms before anyone else adds it.
         */
        static Duration silenceFor(Duration clusterLease) {
            return clusterLease.minusMillis(100);
        }

        /** Feeds it; false when it is gone (it ran its command, or was killed): what it guards may be undone. */
        boolean feed();

        void stop();
    }
}
