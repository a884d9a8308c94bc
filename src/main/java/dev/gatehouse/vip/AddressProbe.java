package dev.gatehouse.vip;

import dev.gatehouse.time.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Duplicate address detection before a takeover: asks the segment who has the VIP ({@code arping -D}, an ARP
 * probe from 0.0.0.0 that changes no one's ARP cache) and waits until nobody answers, so that no two kernels hold
 * the address at once. After a crash the old owner's watchdog deletes the address within tens of milliseconds, and
 * a frozen owner's kernel fence stops its answers {@code lease - 100 ms} after its last renewal, both before the
 * peer may be granted the VIP by lease expiry; a takeover that does not wait for the lease (the owner's death was
 * confirmed) waits here instead. The wait is bounded: an address that is still answered after {@code bound} is held
 * by something that is not a Gatehouse owner, and the takeover proceeds (its announcements move the clients).
 *
 * <p>One probe waits {@link #PROBE_WAIT} for an answer ({@code timeout} ends arping, whose own shortest wait is a
 * second): an answer on a LAN takes well under a millisecond, arping's start a few (17-34 ms in the lab for
 * start and answer together, {@code ip netns exec} included), so the wait is about twice the slowest seen.
 */
final class AddressProbe {

    /** How long one probe waits for an answer, arping's start included. */
    static final Duration PROBE_WAIT = Duration.ofMillis(50);
    /** Exit status of {@code timeout} when it had to end arping: nobody answered within the wait. */
    private static final int TIMED_OUT = 124;

    private final CommandRunner commands;
    private final Ticker ticker;
    private final Duration bound;

    AddressProbe(CommandRunner commands, Ticker ticker, Duration bound) {
        this.commands = Objects.requireNonNull(commands, "commands");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.bound = Objects.requireNonNull(bound, "bound");
    }

    /** What the probing found: how many probes were answered, and whether the last one was not. */
    record Outcome(int answered, boolean free, String error) {

        static final Outcome NOBODY = new Outcome(0, true, null);
    }

    /** Probes until a probe goes unanswered, or {@code bound} has passed, or arping fails (then: not free). */
    Outcome awaitFree(String iface, String address) {
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
