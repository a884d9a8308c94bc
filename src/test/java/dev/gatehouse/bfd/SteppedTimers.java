package dev.gatehouse.bfd;

import java.time.Duration;
import java.util.PriorityQueue;

/** Timers on a clock that moves only when a test steps it; due tasks run in order of their time. */
final class SteppedTimers implements Timers {

    private record Task(long due, long order, Runnable run, boolean[] cancelled) {}

    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order));
    private long now = 1_000_000_000L;
    private long order;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public Runnable schedule(long delayNanos, Runnable task) {
        boolean[] cancelled = {false};
        tasks.add(new Task(now + Math.max(0, delayNanos), order++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    /** Moves the clock forward by {@code span}, running every task that comes due on the way at its own time. */
    void advance(Duration span) {
        long target = now + span.toNanos();
        while (!tasks.isEmpty() && tasks.peek().due <= target) {
            Task next = tasks.poll();
            now = Math.max(now, next.due);
            if (!next.cancelled[0]) {
                next.run.run();
            }
        }
        now = target;
    }
}
