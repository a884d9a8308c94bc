package dev.gatehouse.health;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * A scheduler whose {@code execute} runs the task on the caller, so an outlier hand-off completes
 * inside the {@code failure()} call that triggered it; timed tasks still run on its one thread.
 */
final class InlineScheduler extends ScheduledThreadPoolExecutor {

    InlineScheduler() {
        super(1);
    }

    @Override
    public void execute(Runnable command) {
        command.run();
    }
}
