package dev.gatehouse.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The embedded default: three backends, two nodes and a witness, each its own OS process so that killing one
 * is a real crash. Ctrl-C stops them all.
 */
@Command(name = "demo", description = "Run the embedded default on loopback: 3 backends, lb1, lb2 and a witness, VIP 127.0.0.10.")
final class DemoCommand implements Callable<Integer> {

    private static final int[] BACKEND_PORTS = {9001, 9002, 9003};
    /** Members in the order they start: the witness first, so the nodes find a majority at once. */
    private static final String[] MEMBERS = {"w1", "lb1", "lb2"};
    private static final int[] ADMIN_PORTS = {9903, 9901, 9902};
    private static final int[] CLUSTER_PORTS = {7946, 7947, 7948};
    private static final String VIP = "127.0.0.10";
    private static final String TOKEN_FILE = "admin.token";

    @Option(names = "--for", converter = DurationConverter.class,
            description = "stop by itself after this long (default: run until Ctrl-C)")
    Duration runFor;

    private final List<Process> children = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        for (int port : ports()) {
            if (inUse("127.0.0.1", port)) {
                System.err.println("demo: port 127.0.0.1:" + port + " is in use; stop what holds it (an earlier demo?) and retry");
                return 1;
            }
        }
        for (int port : new int[] {8080, 8081}) {
            if (inUse(VIP, port)) {
                System.err.println("demo: " + VIP + ":" + port + " is in use; stop what holds it (an earlier demo?) and retry");
                return 1;
            }
        }
        Path dir = Files.createTempDirectory("gatehouse-demo");
        writeConfigs(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopChildren, "demo-stop"));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < BACKEND_PORTS.length; i++) {
            String name = "be" + (i + 1);
            Process p = spawn(dir.resolve(name + ".log"), "backend", "--port", String.valueOf(BACKEND_PORTS[i]), "--name", name);
            lines.add(String.format("%-4s backend  127.0.0.1:%d  pid %d", name, BACKEND_PORTS[i], p.pid()));
        }
        for (int i = 0; i < MEMBERS.length; i++) {
            Process p = spawn(dir.resolve(MEMBERS[i] + ".log"), "run", "-c", dir.resolve(MEMBERS[i] + ".yaml").toString());
            lines.add(String.format("%-4s %-8s admin http://127.0.0.1:%d/  pid %d", MEMBERS[i], i == 0 ? "witness" : "node",
                    ADMIN_PORTS[i], p.pid()));
        }
        String owner = awaitOwner(Duration.ofSeconds(60));
        if (owner == null) {
            System.err.println("demo: no node took the VIP within 60 s; logs are in " + dir);
            stopChildren();
            return 1;
        }
        System.out.printf("""
                Gatehouse demo is running (configs and logs in %s)

                  %s

                VIP %s is owned by %s:  http://%s:8080/ (HTTP)   %s:8081 (TCP)
                Dashboards: http://127.0.0.1:9901/ (lb1)  http://127.0.0.1:9902/ (lb2)
                Admin writes (drain, enable, drill, PUT /api/v1/config) need the token in %s (mode 0600);
                in the shell you run them from (or pass --token-file to each):
                  export %s=%s

                Try:
                  curl -s http://%s:8080/                        round robin over be1 (weight 2), be2, be3
                  curl -s -H 'X-User: alice' http://%s:8080/api      maglev on X-User, sticky cookie GH_ROUTE
                  bin/gatehouse status --admin 127.0.0.1:9901        cluster, VIP owner, pools and endpoint states
                  bin/gatehouse drill                                demote the owner while probing the VIP; prints the outage
                  kill -9 <pid of the owner>                         a real crash: the other node takes the VIP
                  bin/gatehouse drain web 127.0.0.1:9002             take be2 out gracefully (enable to return it)
                Ctrl-C stops everything.
                """, dir, String.join("\n  ", lines), VIP, owner, VIP, VIP, dir.resolve(TOKEN_FILE), TokenOption.FILE_VARIABLE,
                dir.resolve(TOKEN_FILE), VIP, VIP);
        if (runFor != null) {
            Thread.sleep(runFor);
        } else {
            children.getLast().waitFor();
        }
        stopChildren();
        return 0;
    }

    /**
     * Writes cluster.key, the admin token every member takes for writes (admin.token), and one config per member:
     * its node section, then the shared part. The two secrets are made readable by this user alone.
     */
    static void writeConfigs(Path dir) throws IOException {
        writeSecret(dir.resolve("cluster.key"), 32);
        writeSecret(dir.resolve(TOKEN_FILE), 32);
        String shared;
        try (InputStream in = DemoCommand.class.getResourceAsStream("/dev/gatehouse/demo/demo.yaml")) {
            shared = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        for (int i = 0; i < MEMBERS.length; i++) {
            Files.writeString(dir.resolve(MEMBERS[i] + ".yaml"), "node: { id: " + MEMBERS[i] + ", admin: { bind: 127.0.0.1:"
                    + ADMIN_PORTS[i] + ", token_file: " + TOKEN_FILE + " } }\n" + shared);
        }
    }

    /** {@code bytes} random bytes in hex, in a new file with mode 0600. */
    private static void writeSecret(Path file, int bytes) throws IOException {
        byte[] secret = new byte[bytes];
        new java.security.SecureRandom().nextBytes(secret);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, java.util.HexFormat.of().formatHex(secret) + "\n");
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

    /** Waits until one of the nodes reports it serves the VIP; returns its id. */
    private static String awaitOwner(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            for (int port : new int[] {9901, 9902}) {
                try {
                    var status = new AdminClient("127.0.0.1:" + port, null).get("/api/v1/status").body();
                    for (var v : status.path("cluster").path("vips")) {
                        if (v.path("owned_here").asBoolean()) {
                            return status.path("node").asText();
                        }
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
            }
            Thread.sleep(200);
        }
        return null;
    }

    private synchronized void stopChildren() {
        for (Process p : children.reversed()) {
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

    private static int[] ports() {
        int[] all = new int[BACKEND_PORTS.length + ADMIN_PORTS.length + CLUSTER_PORTS.length];
        System.arraycopy(BACKEND_PORTS, 0, all, 0, 3);
        System.arraycopy(ADMIN_PORTS, 0, all, 3, 3);
        System.arraycopy(CLUSTER_PORTS, 0, all, 6, 3);
        return all;
    }

    private static boolean inUse(String host, int port) {
        try (Socket ignored = new Socket(host, port)) {
            return true;
        } catch (IOException free) {
            return false;
        }
    }
}
