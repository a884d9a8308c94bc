package dev.gatehouse.cli;

import picocli.CommandLine.Command;

@Command(name = "enable", description = "Return a drained endpoint to service.")
final class EnableCommand extends EndpointAction {

    @Override
    String action() {
        return "enable";
    }
}
