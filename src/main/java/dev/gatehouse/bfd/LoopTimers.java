package dev.gatehouse.bfd;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** {@link Timers} on a Netty event loop: its own clock, its timer heap (an epoll timerfd, to the microsecond). */
record LoopTimers(EventLoop loop) implements Timers {

    @Override
    public long nanoTime() {
        return loop.ticker().nanoTime();
    }

    @Override
    public Runnable schedule(long delayNanos, Runnable task) {
        ScheduledFuture<?> future = loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }
}
