package dev.gatehouse.vip;

import dev.gatehouse.time.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * {@link AddressProbe} with {@code arping -D}: the fallback where this JVM cannot open a packet socket itself
 * ({@link PacketProbe}).
 *
 * <p>One probe waits {@link #PROBE_WAIT} for an answer ({@code timeout} ends arping, whose own shortest wait is a
 * second): an answer on a LAN takes well under a millisecond, arping's start a few (17-34 ms in the lab for
 * start and answer together, {@code ip netns exec} included), so the wait is about twice the slowest seen.
 */
final class ArpingProbe implements AddressProbe {

    /** How long one probe waits for an answer, arping's start included. */
    static final Duration PROBE_WAIT = Duration.ofMillis(50);
    /** Exit status of {@code timeout} when it had to end arping: nobody answered within the wait. */
    private static final int TIMED_OUT = 124;

    private final CommandRunner commands;
    private final Ticker ticker;
    private final Duration bound;

    ArpingProbe(CommandRunner commands, Ticker ticker, Duration bound) {
        this.commands = Objects.requireNonNull(commands, "commands");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.bound = Objects.requireNonNull(bound, "bound");
    }

    @Override
    public Outcome awaitFree(String iface, String address) {
        List<String> probe = List.of("timeout", String.format(Locale.ROOT, "%.3f", PROBE_WAIT.toNanos() / 1e9), "arping",
                "-D", "-q", "-c", "1", "-I", iface, address);
        long deadline = ticker.nanos() + bound.toNanos();
        int answered = 0;
        while (true) {
            CommandRunner.Result result = commands.start(probe).join();
            // arping -D: exit 1 when someone answered; 0 when its count of probes went unanswered (not within the wait)
            if (result.exitCode() == TIMED_OUT || result.exitCode() == 0) {
                return answered == 0 ? Outcome.NOBODY : new Outcome(answered, true, null);
            }
            if (result.exitCode() != 1) {
                return new Outcome(answered, false, result.describe());
            }
            answered++;
            if (ticker.nanos() >= deadline) {
                return new Outcome(answered, false, null);
            }
        }
    }
}
