package dev.gatehouse.vip;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The {@link KernelFence} of the addresses a driver holds, as it runs: its {@code nft} commands one after another on
 * a queue of their own (a slow nft never delays an address command, a release's above all), and which addresses'
 * last re-arm failed.
 */
final class HeldFence {

    private final KernelFence fence;
    private final CommandRunner commands;
    private final CommandQueue queue = new CommandQueue();
    /** Addresses whose last re-arm failed: their elements may have run out, and only a reopen re-adds them. */
    private final Set<String> lapsed = ConcurrentHashMap.newKeySet();

    HeldFence(KernelFence fence, CommandRunner commands) {
        this.fence = Objects.requireNonNull(fence, "fence");
        this.commands = Objects.requireNonNull(commands, "commands");
    }

    /** Fences {@code address} and opens it for one renewal; {@code first}: creates the tables first. */
    void hold(String address, boolean first) {
        lapsed.remove(address);
        List<String> hold = fence.hold(address, first);
        queue.then(() -> commands.start(hold)).thenAccept(r -> ArpVipDriver.logFailure(r, "VIP not fenced"));
    }

    /** Takes {@code address} out of the fence; {@code last}: the tables go (no VIP is held here any more). */
    void release(String address, boolean last) {
        lapsed.remove(address);
        List<String> release = last ? fence.uninstall() : fence.release(address);
        queue.then(() -> commands.start(release)).thenAccept(r -> ArpVipDriver.logFailure(r, "kernel fence not removed"));
    }

    /**
     * Re-arms the timeouts of {@code address} if they have not run out; {@code answerArp} false (a handover) stops
     * ARP at once. A renewal ({@code answerArp}) proved the lease, so it may re-add what ran out: to answer ARP again
     * ({@code answerAgain}, after a handover that did not happen) or after the kernel closed the fence (no re-arm
     * within its timeout, seen as a failed re-arm). Nothing else may: a re-arm that ran late would reopen the fence of
     * a node the peer has taken over from.
     *
     * @param current whether the holding is still this node's when the command's turn comes (else it is skipped)
     * @return completes once the command ran, or was skipped
     */
    CompletableFuture<Void> rearm(String address, boolean answerArp, boolean answerAgain, BooleanSupplier current) {
        return queue.then(() -> {
            if (!current.getAsBoolean()) {
                return CompletableFuture.<CommandRunner.Result>completedFuture(null);
            }
            boolean reopen = answerArp && (answerAgain || lapsed.contains(address));
            return commands.start(fence.renew(address, answerArp, reopen)).thenApply(result -> {
                if (result.ok()) {
                    lapsed.remove(address);
                } else {
                    lapsed.add(address);
                }
                return result;
            });
        }).thenAccept(r -> ArpVipDriver.logFailure(r, "kernel fence not re-armed (run out? the next renewal reopens it)"));
    }
}
