package dev.gatehouse.bfd;

import dev.gatehouse.Tools;
import dev.gatehouse.lab.LabProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two network namespaces joined by a veth pair, one hop apart: the router (a real BFD peer, 203.0.113.1) and
 * Gatehouse (203.0.113.2). BIRD refuses single-hop BFD on loopback ("Invalid remote address"), hence namespaces.
 * The names carry this JVM's PID, so parallel runs and the shared lab ({@code gh-*}) never meet; nothing touches
 * the host's own interfaces, and neither namespace has a route out. {@link #close} kills what it started and
 * deletes both namespaces (which deletes the veth pair).
 */
final class NamespacePair implements AutoCloseable {

    static final String ROUTER_ADDRESS = "203.0.113.1";
    static final String GATEHOUSE_ADDRESS = "203.0.113.2";
    private static final AtomicInteger COUNT = new AtomicInteger();

    final String router;
    final String gatehouse;
    final Path dir;
    private final List<LabProcess> started = new CopyOnWriteArrayList<>();

    private NamespacePair(String prefix) throws IOException {
        router = prefix + "r";
        gatehouse = prefix + "g";
        // the peers drop privileges to their own users (FRR's bfdd to frr), who must reach their files here
        dir = Files.createTempDirectory("gatehouse-bfd-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    static NamespacePair up() throws IOException {
        PeerTools.requireRoot();
        Tools.require("ip", "iproute2");
        NamespacePair pair = new NamespacePair("ghbfd-" + ProcessHandle.current().pid() + "-" + COUNT.incrementAndGet());
        try {
            run("ip", "netns", "add", pair.router);
            run("ip", "netns", "add", pair.gatehouse);
            // made inside the router's namespace with the other end moved at once: never in the host's
            run("ip", "-n", pair.router, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns",
                    pair.gatehouse);
            pair.configure(pair.router, ROUTER_ADDRESS);
            pair.configure(pair.gatehouse, GATEHOUSE_ADDRESS);
        } catch (RuntimeException e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    private void configure(String namespace, String address) {
        run("ip", "-n", namespace, "link", "set", "lo", "up");
        run("ip", "-n", namespace, "addr", "add", address + "/24", "dev", "eth0");
        run("ip", "-n", namespace, "link", "set", "eth0", "up");
    }

    /** Starts {@code command} inside {@code namespace}; {@link #close} kills it if the test did not. */
    LabProcess spawn(String namespace, String name, List<String> command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        all.addAll(command);
        try {
            LabProcess process = new LabProcess(name, new ProcessBuilder(all).redirectErrorStream(true).start());
            started.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + all, e);
        }
    }

    /** Gatehouse's side ({@link BfdPeerMain}) in its own JVM in the Gatehouse namespace. */
    LabProcess spawnGatehouse(long intervalMillis, int multiplier) {
        return spawnJava("gatehouse-bfd", "-Xmx64m", BfdPeerMain.class, GATEHOUSE_ADDRESS, ROUTER_ADDRESS,
                Long.toString(intervalMillis), Integer.toString(multiplier));
    }

    /** {@code main} of the test class path in its own JVM (heap at most {@code maxHeap}) in the Gatehouse namespace. */
    LabProcess spawnJava(String name, String maxHeap, Class<?> main, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", maxHeap,
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return spawn(gatehouse, name, command);
    }

    Path write(String name, String text) {
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command to completion ({@link Tools#run}) and returns its output; fails when it exits non-zero. */
    static String run(String... command) {
        try {
            Tools.Output out = Tools.run(List.of(command), null, null);
            if (out.exit() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + out.exit() + ": " + out.text());
            }
            return out.text();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (LabProcess process : started.reversed()) {
            process.stop(Duration.ofSeconds(2)); // FRR's daemons leave their runtime directories behind a SIGKILL
        }
        for (String namespace : List.of(router, gatehouse)) {
            try {
                run("ip", "netns", "del", namespace);
            } catch (IllegalStateException e) {
                System.err.println("bfd lab: " + e.getMessage());
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            System.err.println("bfd lab: cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
