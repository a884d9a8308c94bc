package dev.gatehouse.vip;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Runs commands strictly one after another, in the order they were asked for. */
final class CommandQueue {

    private CompletableFuture<?> last = CompletableFuture.completedFuture(null);

    /** Starts {@code next} once every command queued before it has ended, however it ended. */
    synchronized CompletableFuture<CommandRunner.Result> then(Supplier<CompletableFuture<CommandRunner.Result>> next) {
        CompletableFuture<CommandRunner.Result> queued = last.handle((r, e) -> null).thenCompose(ignored -> next.get());
        last = queued;
        return queued;
    }
}
