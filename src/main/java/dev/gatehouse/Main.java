package dev.gatehouse;

import dev.gatehouse.cli.GatehouseCommand;
import picocli.CommandLine;

public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(GatehouseCommand.commandLine().execute(args));
    }
}
