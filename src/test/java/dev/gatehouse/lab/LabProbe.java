package dev.gatehouse.lab;

import dev.gatehouse.drill.ProbeReport;

import java.time.Duration;

/** A running {@link ProbeMain} in the client namespace. */
public final class LabProbe implements AutoCloseable {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

    private final LabProcess process;
    private final Duration interval;

    LabProbe(LabProcess process, Duration interval) {
        this.process = process;
        this.interval = interval;
    }

    /** Waits until the first request has been sent; returns its System.nanoTime. */
    public long awaitStarted() {
        return Long.parseLong(process.awaitLine(l -> l.startsWith("start "), Duration.ofSeconds(20)).substring(6));
    }

    /** The probe's output so far. */
    public java.util.List<String> linesSoFar() {
        return process.lines();
    }

    /** Waits for the probe to finish and returns what it saw. */
    public ProbeReport awaitReport(Duration atMost) {
        process.awaitLine("done"::equals, atMost);
        return ProbeReport.parse(process.lines(), interval);
    }

    /** Stops the probe before its count, waits for the requests in flight and returns what it saw. */
    public ProbeReport stopAndReport(Duration atMost) throws java.io.IOException {
        process.send("stop");
        return awaitReport(atMost);
    }

    @Override
    public void close() {
        process.close();
    }
}
