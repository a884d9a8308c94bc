package dev.gatehouse.gslb;

import static org.awaitility.Awaitility.await;

import dev.gatehouse.Tools;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * A Knot DNS server (knotd, Debian package knot) run by a test as its own process: its config, run directory,
 * storage and log in a temp directory, listening on one loopback address and port. Its identity and version are
 * not disclosed (CHAOS queries are refused), as Gatehouse does.
 */
final class Knot implements AutoCloseable {

    private final Process process;
    private final InetSocketAddress address;
    private final Path dir;

    private Knot(Process process, InetSocketAddress address, Path dir) {
        this.process = process;
        this.address = address;
        this.dir = dir;
    }

    /**
     * Starts knotd with {@code zoneConfig} (the {@code zone:} section and any {@code remote:} and {@code acl:} it needs)
     * and the files in {@code dir}; waits until it answers the SOA of {@code zone}.
     */
    static Knot start(Path dir, String host, int port, String sections, String zone) throws IOException {
        String knotd = Tools.require("knotd", "knot").toString();
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("storage"));
        Files.writeString(dir.resolve("knot.conf"), """
                server:
                    rundir: "%1$s/run"
                    listen: %2$s@%3$d
                    identity: ""
                    version: ""
                database:
                    storage: "%1$s/storage"
                log:
                  - target: stderr
                    any: info
                %4$s
                """.formatted(dir, host, port, sections));
        Process p = new ProcessBuilder(knotd, "-c", dir.resolve("knot.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("knotd.log").toFile()).start();
        Knot knot = new Knot(p, new InetSocketAddress(host, port), dir);
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> knot.answersSoa(zone));
        } catch (RuntimeException e) {
            knot.close();
            throw new IllegalStateException("knotd did not serve " + zone + ":\n" + knot.log(), e);
        }
        return knot;
    }

    boolean answersSoa(String zone) throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("knotd exited:\n" + log());
        }
        Message q = Message.newQuery(Record.newRecord(Name.fromString(zone), Type.SOA, DClass.IN));
        Message r = DnsClient.parse(DnsClient.udp(address, q.toWire(), 300));
        return r != null && !r.getSection(org.xbill.DNS.Section.ANSWER).isEmpty();
    }

    InetSocketAddress address() {
        return address;
    }

    String log() {
        try {
            return Files.readString(dir.resolve("knotd.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
