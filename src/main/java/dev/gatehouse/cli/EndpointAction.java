package dev.gatehouse.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** drain and enable: one admin call on one endpoint of one pool. */
abstract class EndpointAction implements Callable<Integer> {

    @Parameters(index = "0", description = "pool name")
    String pool;

    @Parameters(index = "1", description = "endpoint address, host:port as in the config")
    String endpoint;

    @Option(names = "--admin", defaultValue = AdminClient.DEFAULT, description = "admin API address (default ${DEFAULT-VALUE})")
    String admin;

    @Mixin
    TokenOption token;

    abstract String action();

    @Override
    public Integer call() throws Exception {
        AdminClient.Reply r = new AdminClient(admin, token.token())
                .post("/api/v1/pools/" + AdminClient.segment(pool) + "/endpoints/" + AdminClient.segment(endpoint) + "/" + action());
        if (r.status() != 200) {
            System.err.println(action() + ": " + r.body().path("error").asText(r.body().toString()));
            return 1;
        }
        System.out.println(pool + "/" + endpoint + ": " + (action().equals("drain") ? "draining" : "enabled"));
        return 0;
    }
}
