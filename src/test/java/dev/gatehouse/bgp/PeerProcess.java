package dev.gatehouse.bgp;

import dev.gatehouse.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real BGP daemon the test started as its own process, with its output in a file of the test's directory. */
abstract class PeerProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    PeerProcess(List<String> command, Path log) {
        this.log = log;
        try {
            this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
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

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
