package dev.gatehouse.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LazyTimerTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final AtomicInteger expired = new AtomicInteger();
    private final LazyTimer timer = new LazyTimer(channel.eventLoop(), expired::incrementAndGet);

    {
        channel.freezeTime();
    }

    private void advanceMillis(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void expiresOnceAtItsDeadline() {
        timer.restart(TimeUnit.MILLISECONDS.toNanos(100));
        advanceMillis(99);
        assertThat(expired).hasValue(0);
        advanceMillis(1);
        assertThat(expired).hasValue(1);
        advanceMillis(1_000);
        assertThat(expired).hasValue(1);
    }

    @Test
    void aRestartMovesTheDeadlineWithoutANewTaskUntilTheOldOneComesDue() {
        timer.restart(TimeUnit.MILLISECONDS.toNanos(100));
        advanceMillis(60);
        timer.restart(TimeUnit.MILLISECONDS.toNanos(100)); // now due at 160
        advanceMillis(40); // the first task runs at 100 and schedules itself for 160
        assertThat(expired).hasValue(0);
        advanceMillis(59);
        assertThat(expired).hasValue(0);
        advanceMillis(1);
        assertThat(expired).hasValue(1);
    }

    @Test
    void anEarlierDeadlineThanThePendingTaskIsKept() {
        timer.restart(TimeUnit.SECONDS.toNanos(120));
        timer.restart(TimeUnit.MILLISECONDS.toNanos(10));
        advanceMillis(10);
        assertThat(expired).hasValue(1);
    }

    @Test
    void aStoppedTimerDoesNotExpireAndCanStartAgain() {
        timer.restart(TimeUnit.MILLISECONDS.toNanos(100));
        timer.stop();
        advanceMillis(200);
        assertThat(expired).hasValue(0);
        timer.restart(TimeUnit.MILLISECONDS.toNanos(100));
        advanceMillis(100);
        assertThat(expired).hasValue(1);
        timer.restart(TimeUnit.MILLISECONDS.toNanos(100));
        timer.close();
        advanceMillis(200);
        assertThat(expired).hasValue(1);
    }
}
