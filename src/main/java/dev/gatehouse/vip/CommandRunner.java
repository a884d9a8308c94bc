package dev.gatehouse.vip;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs the external commands a VIP driver needs ({@code ip}, {@code arping}) off the caller's thread. */
interface CommandRunner {

    /** How one command ended; {@code exitCode} is -1 when it could not start or ran past its timeout. */
    record Result(List<String> command, int exitCode, String output) {

        boolean ok() {
            return exitCode == 0;
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
    Watchdog watch(List<String> onSilence, java.time.Duration silence);

    /** A running guard: feed it while all is well. */
    interface Watchdog {

        void feed();

        void stop();
    }
}
