package dev.gatehouse.proxy.http;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A timeout that is restarted on every request and almost never fires. Scheduling and cancelling a task each
 * time would cost two operations on the event loop's timer heap per restart (a tenth of the CPU of a keep-alive
 * request in a profile); here a restart that moves the deadline later only updates a field, and the one
 * scheduled task, when it comes due early, schedules itself again for the deadline now in force. Only a
 * deadline earlier than the pending task (e.g. a header-read timeout after an idle one) schedules anew.
 *
 * <p>Runs on its connection's event loop only; the time is that event loop's own scheduler clock.
 */
final class LazyTimer implements Runnable {

    private final EventExecutor loop;
    private final Runnable onExpiry;
    private boolean running;
    private long deadline;
    private ScheduledFuture<?> task;
    private long taskDue;

    LazyTimer(EventExecutor loop, Runnable onExpiry) {
        this.loop = loop;
        this.onExpiry = onExpiry;
    }

    /** Starts, or restarts, the timeout: it expires {@code nanos} from now unless stopped or restarted before. */
    void restart(long nanos) {
        long now = loop.ticker().nanoTime();
        deadline = now + nanos;
        running = true;
        if (task != null && taskDue - deadline > 0) {
            task.cancel(false);
            task = null;
        }
        if (task == null) {
            schedule(now);
        }
    }

    /** Stops the timeout; a pending task stays scheduled and finds nothing to do. */
    void stop() {
        running = false;
    }

    /** Stops the timeout and drops the pending task: the connection is gone. */
    void close() {
        running = false;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    @Override
    public void run() {
        task = null;
        if (!running) {
            return;
        }
        long now = loop.ticker().nanoTime();
        if (now - deadline >= 0) {
            running = false;
            onExpiry.run();
        } else {
            schedule(now);
        }
    }

    private void schedule(long now) {
        taskDue = deadline;
        task = loop.schedule(this, Math.max(0, deadline - now), TimeUnit.NANOSECONDS);
    }
}
