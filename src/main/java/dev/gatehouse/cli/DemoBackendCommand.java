package dev.gatehouse.cli;

import dev.gatehouse.demo.DemoBackend;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "backend", hidden = true, description = "A demo HTTP backend (the demo starts three).")
final class DemoBackendCommand implements Callable<Integer> {

    @Option(names = "--port", required = true)
    int port;

    @Option(names = "--name", required = true)
    String name;

    @Option(names = "--host", defaultValue = "127.0.0.1")
    String host;

    @Override
    public Integer call() throws Exception {
        try (DemoBackend ignored = DemoBackend.start(host, port, name)) {
            System.out.println("backend " + name + " on " + host + ":" + port);
            new CountDownLatch(1).await();
        }
        return 0;
    }
}
