package dev.gatehouse.lab;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process the lab started inside a namespace. {@code ip netns exec} execs the command itself, so {@link #pid()}
 * is the command's own PID and signals reach it directly. Its stdout and stderr are collected line by line.
 */
public final class LabProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    public LabProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread.ofVirtual().name("lab-output-" + name).start(this::collect);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Every line printed so far (stdout and stderr interleaved). */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Waits for a printed line that matches, and returns it; fails with everything printed when none comes. */
    public String awaitLine(Predicate<String> match, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(5))
                .failFast(name + " exited: " + lines, () -> !process.isAlive() && firstMatch(match).isEmpty())
                .until(() -> firstMatch(match).isPresent());
        return firstMatch(match).orElseThrow();
    }

    /** Writes one line to the process's stdin. */
    public void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    public void kill9() {
        signal("KILL");
    }

    public void sigstop() {
        signal("STOP");
    }

    public void sigcont() {
        signal("CONT");
    }

    /** Asks the process to stop (SIGTERM) and waits until it has. */
    public void terminate(Duration atMost) throws InterruptedException {
        signal("TERM");
        awaitExit(atMost);
    }

    /** Waits until the process has exited and returns its exit code. */
    public int awaitExit(Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " still running after " + atMost + ": " + lines);
        }
        return process.exitValue();
    }

    /**
     * Stops it as its own shutdown expects (SIGCONT for a stopped one, then SIGTERM: a daemon then removes its
     * runtime files), and {@link #close}s it if it outlives {@code grace}.
     */
    public void stop(Duration grace) {
        try {
            signal("CONT");
            signal("TERM");
            process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IllegalStateException gone) {
            // it had exited already: kill found no such process
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /** Kills the process (it may be stopped: SIGKILL works on a stopped process too) and waits for it. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Optional<String> firstMatch(Predicate<String> match) {
        return lines.stream().filter(match).findFirst();
    }

    private void signal(String signal) {
        Lab.run(List.of("kill", "-" + signal, Long.toString(pid())));
    }

    private void collect() {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("lab: output of " + name + " unreadable: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }
}
