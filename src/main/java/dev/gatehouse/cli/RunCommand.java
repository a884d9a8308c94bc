package dev.gatehouse.cli;

import dev.gatehouse.node.InvalidConfigException;
import dev.gatehouse.node.Node;
import dev.gatehouse.proxy.Transport;
import dev.gatehouse.time.Ticker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import sun.misc.SignalHandler;

@Command(name = "run", description = "Start what the config describes. SIGHUP reloads the file; SIGUSR1 reopens the access logs;"
        + " SIGTERM drains and exits.")
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, required = true, description = "the config file")
    Path file;

    @Option(names = "--shutdown-bound", defaultValue = "30s", converter = DurationConverter.class,
            description = "how long SIGTERM waits for in-flight work (default ${DEFAULT-VALUE})")
    Duration shutdownBound;

    @Override
    public Integer call() throws Exception {
        // The handlers go in before the node starts: the JVM's own SIGHUP action is to exit, and a reload sent as
        // soon as the admin API answers must not end the process. A SIGHUP during the start is run after it.
        AtomicReference<Node> running = new AtomicReference<>();
        AtomicBoolean reloadAsked = new AtomicBoolean();
        SignalHandler before = Signal.handle(new Signal("HUP"), sig -> {
            reloadAsked.set(true);
            reloadIfAsked(running.get(), reloadAsked);
        });
        // logrotate moves the files, then signals: lines go to a new file at the same path from then on
        Signal.handle(new Signal("USR1"), sig -> {
            Node node = running.get();
            if (node != null) {
                node.reopenAccessLogs();
            }
        });
        Node node;
        try {
            node = Node.start(file, Ticker.system());
        } catch (InvalidConfigException e) {
            e.errors().forEach(System.err::println);
            return GatehouseCommand.INVALID;
        } catch (Transport.UnavailableException e) {
            System.err.println("gatehouse: " + e.getMessage());
            return GatehouseCommand.INVALID;
        }
        LOG.info("node {} running config version {} from {} on {}", node.snapshot().config().node().id(),
                node.snapshot().version(), file, node.transportKind().label());
        if (before == SignalHandler.SIG_IGN) {
            // the JVM keeps a signal its parent ignored (nohup, some supervisors) ignored, handler or not
            LOG.warn("SIGHUP is ignored in this process (started under nohup or by a parent that ignores it): a SIGHUP"
                    + " reloads nothing; reload with PUT /api/v1/config, or start it with SIGHUP at its default"
                    + " (env --default-signal=HUP)");
        }
        running.set(node);
        reloadIfAsked(node, reloadAsked);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down: draining for up to {}", shutdownBound);
            node.shutdown(shutdownBound);
            stopped.countDown();
        }, "gatehouse-shutdown"));
        stopped.await();
        return 0;
    }

    /** Reloads the file once for every SIGHUP not yet acted on, when the node runs; off the signal thread. */
    private void reloadIfAsked(Node node, AtomicBoolean asked) {
        if (node == null || !asked.getAndSet(false)) {
            return;
        }
        Thread.ofVirtual().start(() -> {
            List<String> errors = node.reloadFile();
            if (errors.isEmpty()) {
                LOG.info("reloaded {}: config version {}", file, node.snapshot().version());
            } else {
                LOG.error("reload of {} refused, nothing changed:\n  {}", file, String.join("\n  ", errors));
            }
        });
    }
}
