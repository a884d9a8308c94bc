package dev.gatehouse.vip;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** Records every command; answers with what {@code answer} says (exit 0 unless told). */
final class FakeCommands implements CommandRunner {
    final List<String> ran = new CopyOnWriteArrayList<>();
    volatile Function<String, CompletableFuture<Result>> answer = line -> null;

    @Override
    public CompletableFuture<Result> start(List<String> command) {
        String line = String.join(" ", command);
        ran.add(line);
        CompletableFuture<Result> custom = answer.apply(line);
        return custom != null ? custom : CompletableFuture.completedFuture(new Result(command, 0, ""));
    }

    final List<String> watchdogs = new CopyOnWriteArrayList<>();
    /** Whether feeding a watchdog finds it gone (it ran its command). */
    volatile boolean watchdogGone;

    @Override
    public Watchdog watch(List<String> onSilence, Duration silence) {
        String line = String.join(" ", onSilence) + " after " + silence.toMillis() + "ms";
        watchdogs.add("start " + line);
        return new Watchdog() {
            @Override
            public boolean feed() {
                watchdogs.add("feed");
                return !watchdogGone;
            }

            @Override
            public void stop() {
                watchdogs.add("stop " + line);
            }
        };
    }

    /** The commands run, in order, but for gratuitous ARPs: those run beside the others on their own threads. */
    List<String> withoutAnnouncements() {
        return ran.stream().filter(line -> !line.startsWith("arping ")).toList();
    }

    long count(String line) {
        return ran.stream().filter(line::equals).count();
    }
}
