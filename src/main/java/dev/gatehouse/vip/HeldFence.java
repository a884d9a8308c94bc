package dev.gatehouse.vip;

import dev.gatehouse.time.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

/**
 * The {@link KernelFence} of the addresses a driver holds, as it runs: its {@code nft} commands one after another on
 * a queue of their own (a slow nft never delays an address command, a release's above all), and each address's
 * latest gate.
 *
 * <p>ARP for an address is answered until a deadline the caller gives (its lease, see {@link #answerUntil}), and
 * never later, however late an {@code nft} runs. A re-arm of ARP runs only while the gate it finds is open, so no
 * later than that gate's end, which is known from above: a gate opened by a command that was seen to end at {@code t}
 * ends by {@code t} + its timeout. Each gate has a generation of its own, so a command can only go through the gate
 * it was computed for. The re-arm gives ARP what is left until the deadline after that gate's end, less
 * {@link #MARGIN}; the kernel cannot carry it past the deadline, even if it ran only at the gate's last moment.
 */
final class HeldFence {

    /** Taken off every ARP timeout: the kernel ends a timeout up to a jiffy late, and rounds it up to a jiffy. */
    static final Duration MARGIN = Duration.ofMillis(20);

    private final KernelFence fence;
    private final CommandRunner commands;
    private final Ticker ticker;
    private final CommandQueue queue = new CommandQueue();
    /** Per address, the gate opened last. */
    private final Map<String, Gate> gates = new ConcurrentHashMap<>();
    private final AtomicLong generations = new AtomicLong();

    /**
     * A gate of an address: its generation, and the latest it can end (ticker nanos), {@link Long#MIN_VALUE} when
     * its command failed (it is not open, or not for long: a timed-out command was killed).
     */
    private record Gate(long generation, long endsBy) {

        boolean open(long now) {
            return endsBy != Long.MIN_VALUE && endsBy - now > 0;
        }
    }

    HeldFence(KernelFence fence, CommandRunner commands, Ticker ticker) {
        this.fence = Objects.requireNonNull(fence, "fence");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /**
     * Until when (ticker nanos) a renewal at {@code now} may answer ARP: its lease's end, as the node serves until then
     * at most (the controller grants the address elsewhere only lease * 1.1 + 50 ms after it applied the renewal);
     * {@code leaseEnd} null when it has no lease (an active-active VIP): one watchdog silence.
     */
    long answerUntil(Long leaseEnd, long now) {
        return leaseEnd == null ? now + fence.serve.toNanos() : leaseEnd;
    }

    /**
     * A grant of {@code address} (nothing held yet): opens a gate, so that the acquisition after it goes through in one
     * command. Nothing changes for the address itself.
     */
    void prepare(String address) {
        queue.then(() -> gateOpen(address) ? CompletableFuture.<CommandRunner.Result>completedFuture(null)
                : gating(address, next -> fence.openGate(address, next))).thenAccept(r -> ArpVipDriver.logFailure(r, "kernel fence gate not opened"));
    }

    /**
     * Fences {@code address} and answers ARP for it until {@code until}.
     *
     * @return completes once ARP is answered, or that failed
     */
    CompletableFuture<Void> hold(String address, long until) {
        return queue.then(() -> answer(address, until)).thenAccept(r -> ArpVipDriver.logFailure(r, "VIP not fenced"));
    }

    /** Takes {@code address} out of the fence. */
    void release(String address) {
        queue.then(() -> commands.start(fence.release(address, forget(address)))).thenAccept(r -> ArpVipDriver.logFailure(r, "kernel fence not removed"));
    }

    /**
     * After a renewal: answers ARP until {@code until} ({@code answerArp}), or stops it at once and keeps serving IP
     * (a handover).
     *
     * @param current whether the holding is still this node's when the command's turn comes (else it is skipped)
     * @return completes once the command ran, or was skipped
     */
    CompletableFuture<Void> rearm(String address, boolean answerArp, long until, BooleanSupplier current) {
        return queue.then(() -> {
            if (!current.getAsBoolean()) {
                return CompletableFuture.<CommandRunner.Result>completedFuture(null);
            }
            if (answerArp) {
                return answer(address, until);
            }
            return commands.start(fence.quiet(address, forget(address)));
        }).thenAccept(r -> ArpVipDriver.logFailure(r, "kernel fence not re-armed"));
    }

    /** Through the gate; a gate that ran out (or was never opened) is opened first, which any renewal may do. */
    private CompletableFuture<CommandRunner.Result> answer(String address, long until) {
        if (!gateOpen(address)) {
            return throughNewGate(address, until);
        }
        return throughGate(address, until)
                .thenCompose(r -> r.ok() ? CompletableFuture.completedFuture(r) : throughNewGate(address, until));
    }

    private CompletableFuture<CommandRunner.Result> throughNewGate(String address, long until) {
        return gating(address, gate -> fence.openGate(address, gate))
                .thenCompose(r -> r.ok() ? throughGate(address, until) : CompletableFuture.completedFuture(r));
    }

    /**
     * Through the gate opened last. Where the deadline leaves ARP too little after the gate's end, ARP is left to run
     * out; the address is fenced all the same (an acquisition adds it next).
     */
    private CompletableFuture<CommandRunner.Result> throughGate(String address, long until) {
        Gate through = gates.get(address);
        long answerFor = until - through.endsBy() - MARGIN.toNanos();
        Duration arp = answerFor < MARGIN.toNanos() ? null : Duration.ofNanos(answerFor);
        return gating(address, next -> fence.answer(address, through.generation(), next, arp));
    }

    /**
     * Runs the command that opens the next gate of {@code address}, given its generation: done, the gate ends a gate
     * interval after the command was seen to end at the latest; failed, it is not open.
     */
    private CompletableFuture<CommandRunner.Result> gating(String address, LongFunction<List<String>> opening) {
        long generation = generations.incrementAndGet() & 0xffff_ffffL; // a mark: wraps long after its gate ran out
        return commands.start(opening.apply(generation)).thenApply(r -> {
            gates.put(address, new Gate(generation, r.ok() ? ticker.nanos() + fence.gate.toNanos() : Long.MIN_VALUE));
            return r;
        });
    }

    /** Whether the gate opened last for {@code address} is still open, by its bound. */
    private boolean gateOpen(String address) {
        Gate gate = gates.get(address);
        return gate != null && gate.open(ticker.nanos());
    }

    /** Forgets the gates of {@code address}: the generation of the last (to close it), 0 when there was none. */
    private long forget(String address) {
        Gate gate = gates.remove(address);
        return gate == null ? 0 : gate.generation();
    }
}
