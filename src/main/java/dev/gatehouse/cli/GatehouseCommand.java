package dev.gatehouse.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "gatehouse", mixinStandardHelpOptions = true, version = "gatehouse 0.1.0",
        description = "A load balancer whose own tier is never the single point of failure.",
        subcommands = {RunCommand.class, CheckCommand.class, StatusCommand.class, DrainCommand.class, EnableCommand.class,
                       DemoCommand.class, DrillCommand.class, DemoBackendCommand.class, TrainCommand.class})
public final class GatehouseCommand implements Runnable {

    /** Exit code for a config that fails validation (and for usage errors). */
    public static final int INVALID = 2;

    public static CommandLine commandLine() {
        return new CommandLine(new GatehouseCommand());
    }

    @Override
    public void run() {
        commandLine().usage(System.out);
    }
}
