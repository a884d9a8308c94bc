package dev.gatehouse;

import dev.gatehouse.cli.GatehouseCommand;
import picocli.CommandLine;

public final class Main {

    private Main() {}

    public static void main(String[] args) {
        // Netty's JFR events for its buffer allocator cost a Flight Recorder set-up (~0.3 s of start-up) even when
        // no recording runs; -Dio.netty.jfr.enabled=true brings them back.
        defaultProperty("io.netty.jfr.enabled", "false");
        // Netty samples one buffer in 128 for leak tracking by default and records a stack trace for each: a cost
        // on every proxied request. The tests (which do not start here) keep that default;
        // -Dio.netty.leakDetection.level=simple brings it back here.
        defaultProperty("io.netty.leakDetection.level", "disabled");
        System.exit(GatehouseCommand.commandLine().execute(args));
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
