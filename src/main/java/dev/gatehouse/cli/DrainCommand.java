package dev.gatehouse.cli;

import picocli.CommandLine.Command;

@Command(name = "drain", description = "Stop new traffic to an endpoint; in-flight work finishes (force-closed after drain_timeout).")
final class DrainCommand extends EndpointAction {

    @Override
    String action() {
        return "drain";
    }
}
