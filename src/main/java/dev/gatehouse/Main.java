package dev.gatehouse;

import dev.gatehouse.cli.GatehouseCommand;
import picocli.CommandLine;

public final class Main {

    private Main() {}

    public static void main(String[] args) {
        // Netty's JFR events for its buffer allocator cost a Flight Recorder set-up (~0.3 s of start-up) even when
        // no recording runs; -Dio.netty.jfr.enabled=true brings them back.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        System.exit(GatehouseCommand.commandLine().execute(args));
    }
}
