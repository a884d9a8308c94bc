package dev.gatehouse.vip;

import dev.gatehouse.guard.Guards;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each command as a child process on its own virtual thread, with stderr folded into the captured output and
 * a hard timeout.
 */
final class ProcessCommandRunner implements CommandRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessCommandRunner.class);

    private static final File DEV_NULL = new File("/dev/null");

    /** What the VIP drivers give {@code ip}, {@code arping} and {@code nft}: each answers in milliseconds. */
    private static final Duration DRIVER_TIMEOUT = Duration.ofSeconds(3);

    private final Duration timeout;

    /** The runner the VIP drivers use. */
    static ProcessCommandRunner forDrivers() {
        return new ProcessCommandRunner(DRIVER_TIMEOUT);
    }

    ProcessCommandRunner(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    @Override
    public CompletableFuture<Result> start(List<String> command) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        Thread.ofVirtual().name("vip-command").start(() -> result.complete(run(command)));
        return result;
    }

    /**
     * Run first when the watchdog acts: a command the JVM started just before it died (an {@code ip addr replace} that
     * renews the address's lifetime) still runs, and landing after the watchdog's delete it would put the address
     * back for a lifetime. So the watchdog waits while the dead JVM has an {@code ip} (or a spawn helper about to
     * become one) among its children, a few milliseconds, at most 200 checks; without pgrep it acts at once.
     */
    private static final String AFTER_STRAGGLERS =
            "for _ in {1..200}; do pgrep -P \"$PPID\" -x \"ip|jspawnhelper\" > /dev/null || break; done; ";

    /**
     * The guard is a bash loop reading lines from our pipe with a timeout; silence (we are stopped or stuck), the
     * end of the pipe or the death signal (we died: {@link Guards}) ends it, and it execs {@code onSilence} after the
     * stragglers. It is its own process, so neither kill -9 nor SIGSTOP of this JVM stops it; SIGTERM from
     * {@link Watchdog#stop} ends it before it acts.
     */
    @Override
    public Watchdog watch(List<String> onSilence, Duration silence) {
        List<String> args = new ArrayList<>();
        args.add(String.format(java.util.Locale.ROOT, "%.3f", silence.toNanos() / 1e9));
        args.addAll(onSilence);
        Process process;
        try {
            process = Guards.start("while IFS= read -r -t \"$0\" _; do :; done", AFTER_STRAGGLERS + "exec \"$@\"", args);
        } catch (IOException e) {
            LOG.error("VIP: cannot start the watchdog for {}: {}", onSilence, e.getMessage());
            return NO_WATCHDOG;
        }
        var feed = process.getOutputStream();
        return new Watchdog() {
            @Override
            public boolean feed() {
                try {
                    feed.write('\n');
                    feed.flush();
                    return true;
                } catch (IOException e) {
                    LOG.warn("VIP: watchdog {} gone: {}", process.pid(), e.getMessage());
                    return false;
                }
            }

            @Override
            public void stop() {
                process.destroy();
            }
        };
    }

    private static final Watchdog NO_WATCHDOG = new Watchdog() {
        @Override
        public boolean feed() {
            return true;
        }

        @Override
        public void stop() {
        }
    };

    private Result run(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL)).start();
        } catch (IOException e) {
            return new Result(command, -1, "could not start: " + e.getMessage());
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                // reaped before the next command of its queue starts: a late one must not land after that one
                process.destroyForcibly().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return new Result(command, -1, "timed out after " + timeout.toMillis() + "ms");
            }
            // The commands print a few lines at most, so the pipe never fills before they exit.
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(command, process.exitValue(), output);
        } catch (IOException e) {
            return new Result(command, process.exitValue(), "output unreadable: " + e.getMessage());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(command, -1, "interrupted");
        }
    }
}
