package dev.gatehouse.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The embedded default: three backends and a node, each its own OS process so that killing one is a
 * real crash. Ctrl-C stops them all.
 */
@Command(name = "demo", description = "Run the embedded default on loopback: 3 backends and a node; prints where to look.")
final class DemoCommand implements Callable<Integer> {

    private static final int[] BACKEND_PORTS = {9001, 9002, 9003};
    private static final int[] NODE_PORTS = {8080, 8081, 9901};

    @Option(names = "--for", converter = DurationConverter.class,
            description = "stop by itself after this long (default: run until Ctrl-C)")
    Duration runFor;

    private final List<Process> children = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        for (int port : concat(BACKEND_PORTS, NODE_PORTS)) {
            if (inUse(port)) {
                System.err.println("demo: port 127.0.0.1:" + port + " is in use; stop what holds it (an earlier demo?) and retry");
                return 1;
            }
        }
        Path dir = Files.createTempDirectory("gatehouse-demo");
        Path config = dir.resolve("demo.yaml");
        try (InputStream in = DemoCommand.class.getResourceAsStream("/dev/gatehouse/demo/demo.yaml")) {
            Files.write(config, in.readAllBytes());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopChildren, "demo-stop"));
        List<String> pids = new ArrayList<>();
        for (int i = 0; i < BACKEND_PORTS.length; i++) {
            String name = "be" + (i + 1);
            Process p = spawn(dir.resolve(name + ".log"), "backend", "--port", String.valueOf(BACKEND_PORTS[i]), "--name", name);
            pids.add(name + " 127.0.0.1:" + BACKEND_PORTS[i] + " pid " + p.pid());
        }
        Process node = spawn(dir.resolve("lb1.log"), "run", "-c", config.toString());
        if (!awaitHealthy(node)) {
            System.err.println("demo: the node did not come up; see " + dir.resolve("lb1.log"));
            stopChildren();
            return 1;
        }
        System.out.printf("""
                Gatehouse demo is running (config %s, logs in %s)

                  node lb1 (pid %d)         http://127.0.0.1:8080/   (HTTP)   127.0.0.1:8081 (TCP)
                  dashboard                http://127.0.0.1:9901/
                  backends                 %s

                Try:
                  curl -s http://127.0.0.1:8080/                     round robin over be1 (weight 2), be2, be3
                  curl -s -H 'X-User: alice' http://127.0.0.1:8080/api   maglev on X-User, sticky cookie GH_ROUTE
                  bin/gatehouse status                                pools and endpoint states
                  bin/gatehouse drain web 127.0.0.1:9002             take be2 out gracefully (enable to return it)
                  kill <a backend pid>                                watch it go unhealthy on the dashboard
                Ctrl-C stops everything.
                """, config, dir, node.pid(), String.join("\n                           ", pids));
        if (runFor != null) {
            Thread.sleep(runFor);
        } else {
            node.waitFor();
        }
        stopChildren();
        return 0;
    }

    private Process spawn(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.gatehouse.Main");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        children.add(p);
        return p;
    }

    private static boolean awaitHealthy(Process node) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && node.isAlive()) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9901/healthz")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(100);
        }
        return false;
    }

    private synchronized void stopChildren() {
        for (Process p : children) {
            p.destroy();
        }
        for (Process p : children) {
            try {
                if (!p.waitFor(35, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        children.clear();
    }

    private static boolean inUse(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException free) {
            return false;
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
