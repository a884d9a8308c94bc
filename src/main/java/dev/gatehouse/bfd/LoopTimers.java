package dev.gatehouse.bfd;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link Timers} on a Netty event loop's timer heap (an epoll timerfd, to the microsecond). The clock is
 * {@link System#nanoTime()} itself rather than the loop's (which counts from the loop's start), so the times in
 * {@link StateChange}s compare with other processes' on the same machine.
 */
record LoopTimers(EventLoop loop) implements Timers {

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Runnable schedule(long delayNanos, Runnable task) {
        ScheduledFuture<?> future = loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }
}
