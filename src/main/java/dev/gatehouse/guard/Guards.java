package dev.gatehouse.guard;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Starts guards: bash scripts that act for this JVM once it is dead, each its own process.
 *
 * <p>A guard learns of the death from its pipe's end of stream, but the kernel closes a dead process's files only
 * after it has torn down its memory: 50-700 ms for a JVM with a heap of a few GiB. So each guard also runs under
 * {@code setpriv --pdeathsig USR1} and traps that signal. The kernel sends that signal when the thread
 * that started the guard exits, which happens within milliseconds of a kill -9, well before the memory is gone.
 * Every guard is therefore started from one platform thread that exits only with the JVM: started from any other
 * thread (a virtual thread's carrier, a pool's worker) a guard would be told of a death when that thread retires.
 */
public final class Guards {

    /** The signal the kernel sends a guard when this JVM dies. */
    private static final String DEATH_SIGNAL = "USR1";

    private static final BlockingQueue<FutureTask<Process>> STARTS = new LinkedBlockingQueue<>();
    private static final boolean SETPRIV = onPath("setpriv");
    /**
     * The spawner's nice value, which the guards inherit: they act on a host that may be saturated (often by the
     * dying JVM's own teardown), and ahead of ordinary work a reset took 7-11 ms after a kill -9 instead of 22-32
     * ms beside two busy loops. Without CAP_SYS_NICE the value stays as it was.
     */
    private static final String PRIORITY = "-10";

    static {
        Thread spawner = new Thread(Guards::spawnForever, "gatehouse-guard-spawner");
        spawner.setDaemon(true);
        spawner.start();
    }

    private Guards() {
    }

    /**
     * Starts a guard: a bash script that runs {@code loop} (which reads the pipe the caller feeds, its stdin), then
     * {@code act}; the death signal cuts the loop short and runs {@code act} at once. Both see {@code args} as
     * {@code $0 $1 ...}; output is discarded. {@code act} runs once and deaf to the signal: the kernel sends it again
     * each time the guard is handed to another thread of the dying process, and a command the guard execs would keep
     * it and die of it (an {@code ip addr del} killed before it ran: the address stayed for its lifetime); ignored, it
     * stays ignored across exec. Without {@code setpriv} on the PATH a guard still acts at the end of its pipe, later.
     */
    public static Process start(String loop, String act, List<String> args) throws IOException {
        List<String> argv = new ArrayList<>();
        if (SETPRIV) {
            argv.addAll(List.of("setpriv", "--pdeathsig", DEATH_SIGNAL, "--"));
        }
        String script = "act() { trap '' " + DEATH_SIGNAL + "; " + act + "; }; trap 'act \"$@\"' " + DEATH_SIGNAL + "; "
                + loop + "; act \"$@\"";
        argv.addAll(List.of("bash", "-c", script));
        argv.addAll(args);
        FutureTask<Process> start = new FutureTask<>(() -> new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        STARTS.add(start);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return start.get(); // a start takes milliseconds; a guard started must not be left unfed
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The spawner's loop: a FutureTask keeps whatever a start throws, so this thread never ends before the JVM. */
    private static void spawnForever() {
        raiseOwnPriority();
        while (true) {
            try {
                STARTS.take().run();
            } catch (InterruptedException e) {
                // nothing interrupts it on purpose; keep serving
            }
        }
    }

    /**
     * The guards' death signal leaves when this thread has exited, so it should not wait behind the process's other
     * threads for a CPU; and the guards it starts inherit its nice value. Linux gives each thread its own nice
     * value; {@code renice} of this thread's id sets it.
     */
    private static void raiseOwnPriority() {
        try {
            String thread = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            new ProcessBuilder("renice", "-n", PRIORITY, "-p", thread).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (IOException | InterruptedException | UnsupportedOperationException e) {
            // not Linux, or no renice: the signal leaves as soon as the scheduler lets it
        }
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (new File(dir, command).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
