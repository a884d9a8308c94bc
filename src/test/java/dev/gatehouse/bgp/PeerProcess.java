package dev.gatehouse.bgp;

import dev.gatehouse.Tools;
import dev.gatehouse.lab.LabProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** A real BGP daemon the test started as its own process ({@link LabProcess}, which collects its output). */
abstract class PeerProcess implements AutoCloseable {

    private final LabProcess process;

    PeerProcess(String name, List<String> command) {
        try {
            this.process = new LabProcess(name, new ProcessBuilder(command).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a client command of this daemon to its end ({@link Tools#run}) and returns its output. */
    static String run(List<String> command) {
        try {
            return Tools.run(command, null, null).text();
        } catch (IOException e) {
            return "could not run " + command + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Everything the daemon printed so far. */
    String log() {
        return String.join("\n", process.lines());
    }

    @Override
    public void close() {
        process.close();
    }
}
