package dev.gatehouse.lab;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The network-namespace lab as a test fixture: one bridged segment 203.0.113.0/24 with hosts client (.100),
 * lb1 (.11), lb2 (.12), lb3 (.14), witness (.13), be1 (.21), be2 (.22), and the routers r1 (.1) and r2 (.2), built
 * and removed by the scripts in {@code lab/}; or the two-site lab of {@link #upSites}.
 * Hosts are named without the {@code gh-} prefix of their namespaces.
 *
 * <pre>{@code
 * Lab.assumeAvailable();
 * try (Lab lab = Lab.up()) {
 *     LabProcess server = lab.spawnJava("lb1", SomeMain.class, "arg");
 *     lab.cut("lb1", "lb2");
 *     ...
 * } // kills what it started, then removes every namespace
 * }</pre>
 */
public final class Lab implements AutoCloseable {

    public static final String VIP = "203.0.113.10";
    public static final int VIP_PREFIX = 24;

    private static final Path SCRIPTS = Path.of("lab").toAbsolutePath();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");
    private static final Pattern VIA = Pattern.compile("via (\\S+)");

    private final List<AutoCloseable> started = new CopyOnWriteArrayList<>();
    private final Thread cleanupAtExit = new Thread(() -> run(List.of(script("down"))), "lab-down");

    private Lab() {
    }

    /** Skips the calling test unless this is root on Linux with working {@code ip netns}. */
    public static void assumeAvailable() {
        assumeTrue(Files.isExecutable(SCRIPTS.resolve("up")), "the lab needs the lab/ scripts; none in " + SCRIPTS);
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false),
                "the lab needs root (network namespaces); skipped");
        assumeTrue(tryRun(List.of("ip", "netns", "list")), "the lab needs 'ip netns' (iproute2); skipped");
    }

    /** Builds the lab afresh (the script removes whatever an earlier run left first). */
    public static Lab up() {
        return build("up");
    }

    /**
     * Builds the two-site lab instead ({@code lab/up-sites}): sites a and b on segments of their own, each behind its
     * router, an internet router between them, and the user and a resolver behind it.
     */
    public static Lab upSites() {
        return build("up-sites");
    }

    private static Lab build(String upScript) {
        Lab lab = new Lab();
        Runtime.getRuntime().addShutdownHook(lab.cleanupAtExit);
        try {
            run(List.of(script(upScript)));
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    public String address(String host) {
        return switch (host) {
            case "client" -> "203.0.113.100";
            case "lb1" -> "203.0.113.11";
            case "lb2" -> "203.0.113.12";
            case "lb3" -> "203.0.113.14";
            case "witness" -> "203.0.113.13";
            case "be1" -> "203.0.113.21";
            case "be2" -> "203.0.113.22";
            case "r1" -> "203.0.113.1";
            case "r2" -> "203.0.113.2";
            case "a-r" -> "203.0.113.1";
            case "a-lb1" -> "203.0.113.11";
            case "a-lb2" -> "203.0.113.12";
            case "a-w" -> "203.0.113.13";
            case "a-dns" -> "203.0.113.14";
            case "a-be1" -> "203.0.113.21";
            case "a-be2" -> "203.0.113.22";
            case "b-r" -> "203.0.113.65";
            case "b-lb1" -> "203.0.113.75";
            case "b-lb2" -> "203.0.113.76";
            case "b-w" -> "203.0.113.77";
            case "b-dns" -> "203.0.113.78";
            case "b-be1" -> "203.0.113.85";
            case "b-be2" -> "203.0.113.86";
            case "inet" -> "192.0.2.129";
            case "user" -> "192.0.2.130";
            case "resolver" -> "192.0.2.131";
            default -> throw new IllegalArgumentException("no lab host '" + host + "'");
        };
    }

    public static String namespace(String host) {
        return "gh-" + host;
    }

    /** The MAC address of a host's lab interface (eth0). */
    public String mac(String host) {
        Matcher m = MAC.matcher(exec(host, "ip", "link", "show", "dev", "eth0"));
        if (!m.find()) {
            throw new IllegalStateException("no MAC for " + host);
        }
        return m.group(1);
    }

    /** Runs a command inside a host's namespace and returns its output; fails when it exits non-zero. */
    public String exec(String host, String... command) {
        return run(inNamespace(host, List.of(command)));
    }

    /** Starts a long-running command inside a host's namespace; {@link #close} kills it if the test did not. */
    public LabProcess spawn(String host, String... command) {
        return track(start(host + ":" + command[0], inNamespace(host, List.of(command))));
    }

    /**
     * Starts {@code main} of the test classpath in its own JVM inside a host's namespace, and in the host's cgroup
     * when the lab has one, so that {@link #freeze} stops it and every process it starts.
     */
    public LabProcess spawnJava(String host, Class<?> main, String... args) {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-XX:TieredStopAtLevel=1", "-Xmx128m", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        List<String> launch = inNamespace(host, command);
        Path cgroup = cgroup(host);
        if (cgroup != null) {
            // the shell joins the cgroup, then execs: the JVM keeps its PID and its children inherit the cgroup
            launch.addAll(0, List.of("sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", cgroup.toString()));
        }
        return track(start(host + ":" + main.getSimpleName(), launch));
    }

    /**
     * Stops every process the lab started in {@code host} and every process they started, at once: a cgroup v2
     * freeze where the lab has the host's cgroup, else SIGSTOP of each PID in the host's namespace (which only the
     * lab starts processes in). Returns how.
     */
    public String freeze(String host) {
        Path cgroup = cgroup(host);
        if (cgroup == null) {
            List<String> pids = namespacePids(host);
            pids.forEach(pid -> run(List.of("kill", "-STOP", pid)));
            return "SIGSTOP of " + pids.size() + " PIDs";
        }
        writeControl(cgroup.resolve("cgroup.freeze"), "1");
        long deadline = System.nanoTime() + COMMAND_TIMEOUT.toNanos();
        while (!readControl(cgroup.resolve("cgroup.events")).contains("frozen 1")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(cgroup + " did not freeze");
            }
            Thread.onSpinWait();
        }
        return "cgroup freeze of " + readControl(cgroup.resolve("cgroup.procs")).lines().count() + " processes";
    }

    /** Undoes {@link #freeze}. */
    public void thaw(String host) {
        Path cgroup = cgroup(host);
        if (cgroup == null) {
            namespacePids(host).forEach(pid -> run(List.of("kill", "-CONT", pid)));
        } else {
            writeControl(cgroup.resolve("cgroup.freeze"), "0");
        }
    }

    /** The host's cgroup that lab/up made, or null (no cgroup v2 here, or one without a freezer). */
    private static Path cgroup(String host) {
        String root = run(List.of("bash", "-c", ". " + script("lib.sh") + " && gh_cgroup_root")).strip();
        Path cgroup = root.isEmpty() ? null : Path.of(root, namespace(host));
        return cgroup != null && Files.exists(cgroup.resolve("cgroup.freeze")) ? cgroup : null;
    }

    private static List<String> namespacePids(String host) {
        return run(List.of("ip", "netns", "pids", namespace(host))).lines().map(String::strip).filter(l -> !l.isEmpty())
                .toList();
    }

    private static void writeControl(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String readControl(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Drops IP between two hosts, both ways (ARP still passes). */
    public void cut(String a, String b) {
        run(List.of(script("cut"), a, b));
    }

    public void heal(String a, String b) {
        run(List.of(script("heal"), a, b));
    }

    /**
     * Takes a host's switch port down: it reaches no one. As {@code lab/cut HOST} does, without its shell, so that
     * the port is down a few milliseconds after the call (tests time what follows from the call).
     */
    public void unplug(String host) {
        run(List.of("ip", "-n", switchOf(host), "link", "set", "dev", host, "down"));
    }

    public void plug(String host) {
        run(List.of("ip", "-n", switchOf(host), "link", "set", "dev", host, "up"));
    }

    /** The namespace of the switch a host's eth0 is plugged into (gh_switch of lab/lib.sh). */
    private static String switchOf(String host) {
        if (host.startsWith("a-")) {
            return "gh-swa";
        }
        if (host.startsWith("b-")) {
            return "gh-swb";
        }
        return List.of("inet", "user", "resolver").contains(host) ? "gh-swc" : "gh-sw";
    }

    /** The next hops of {@code host}'s route to {@code destination} (one, several for ECMP, none). */
    public List<String> nextHops(String host, String destination) {
        List<String> hops = new ArrayList<>();
        Matcher m = VIA.matcher(exec(host, "ip", "route", "show", destination));
        while (m.find()) {
            hops.add(m.group(1));
        }
        return hops;
    }

    /** The connections a node's listener has accepted, from its metrics (admin API on 127.0.0.1:9901). */
    public long acceptedConnections(String node, String listener) {
        Matcher m = Pattern.compile("gatehouse_listener_connections_total\\{[^}]*listener=\"" + Pattern.quote(listener)
                + "\"[^}]*} ([0-9.E]+)").matcher(exec(node, "curl", "-s", "http://127.0.0.1:9901/metrics"));
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0L;
    }

    /**
     * The A records {@code server} answers for {@code name}, asked with dig from {@code host} (one try of at most
     * {@code seconds}), sorted; fails when no answer came.
     */
    public List<String> digA(String host, String server, String name, int seconds) {
        String out = exec(host, "dig", "+short", "+time=" + seconds, "+tries=1", "@" + server, name, "A");
        return out.lines().map(String::strip).filter(l -> !l.isEmpty()).sorted().toList();
    }

    /**
     * Starts BIRD in {@code host} with the config {@code lab/CONF}, its control socket and PID file in {@code dir}
     * (named for the host; see {@link #birdc}).
     */
    public LabProcess startBird(String host, String conf, Path dir) {
        return spawn(host, "bird", "-f", "-c", SCRIPTS.resolve(conf).toString(), "-s", birdSocket(host, dir).toString(),
                "-P", dir.resolve("bird-" + host + ".pid").toString());
    }

    /** {@code birdc} of the BIRD {@link #startBird} started in {@code host}. */
    public String birdc(String host, Path dir, String... command) {
        List<String> all = new ArrayList<>(List.of("birdc", "-s", birdSocket(host, dir).toString()));
        all.addAll(List.of(command));
        return exec(host, all.toArray(String[]::new));
    }

    private static Path birdSocket(String host, Path dir) {
        return dir.resolve("bird-" + host + ".ctl");
    }

    /** The status code of one GET of {@code url} from the client (1 s at most), or "failed". */
    public String httpStatus(String url) {
        try {
            return exec("client", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "1", url);
        } catch (IllegalStateException e) {
            return "failed";
        }
    }

    /** Starts a probe in the client: a new HTTP request to {@code url} every {@code interval}, {@code count} in all. */
    public LabProbe probe(String url, int count, Duration interval) {
        return track(new LabProbe(spawnJava("client", ProbeMain.class, url, Integer.toString(count),
                Long.toString(interval.toMillis()), Long.toString(LabProbe.REQUEST_TIMEOUT.toMillis())), interval));
    }

    /** Starts asking from the client, every {@code interval}, who answers ARP for the VIP (lab/arp-sample). */
    public ArpSampler sampleArp(Duration interval) {
        return track(new ArpSampler(spawn("client", script("arp-sample"), "eth0", VIP, Long.toString(interval.toMillis()))));
    }

    /** Starts following which of {@code hosts} hold the VIP and where the client's ARP entry for it points. */
    public DualOwnerSampler watchVip(String... hosts) {
        return track(DualOwnerSampler.start(this, List.of(hosts)));
    }

    /** Kills every process the lab started, then removes every namespace. */
    @Override
    public void close() {
        for (AutoCloseable each : started.reversed()) {
            try {
                each.close();
            } catch (Exception e) {
                System.err.println("lab: could not stop " + each + ": " + e);
            }
        }
        run(List.of(script("down")));
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupAtExit);
        } catch (IllegalStateException alreadyExiting) {
            // the hook is running or has run: nothing left to undo
        }
    }

    LabProcess start(String name, List<String> command) {
        try {
            return new LabProcess(name, new ProcessBuilder(command).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command + ": " + e.getMessage(), e);
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        started.add(resource);
        return resource;
    }

    private static List<String> inNamespace(String host, List<String> command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace(host)));
        all.addAll(command);
        return all;
    }

    /** Runs a command to completion and returns its output; fails with the output when it exits non-zero. */
    static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " timed out");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command + " exited " + process.exitValue() + ": " + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }

    private static boolean tryRun(List<String> command) {
        try {
            run(command);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static String script(String name) {
        return SCRIPTS.resolve(name).toString();
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString());
    }
}
