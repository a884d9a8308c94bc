package dev.gatehouse.bgp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.gatehouse.Tools;
import dev.gatehouse.lab.LabProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real FRR bgpd (Debian frr) as a passive eBGP peer, run with {@code prefix} (ip netns exec) on an address and port
 * of the test's choosing. It runs alone: no zebra ({@code -Z}), so it installs nothing in a kernel table and takes
 * every next hop as reachable. Its config, pid file and vty socket are in {@code dir}; vtysh reads its state there.
 */
final class FrrPeer implements AutoCloseable {

    static final String BGPD = "/usr/lib/frr/bgpd";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LabProcess process;
    private final List<String> vtysh;

    private FrrPeer(LabProcess process, Path dir) {
        this.process = process;
        this.vtysh = List.of(Tools.require("vtysh", "frr").toString(), "--vty_socket", dir.toString(), "-d", "bgpd");
    }

    static FrrPeer start(List<String> prefix, Path dir, String address, int port, long as, String neighbor,
            long neighborAs, int holdTime) throws IOException {
        String bgpd = Tools.require(BGPD, "frr").toString();
        Path config = dir.resolve("bgpd.conf");
        // FRR (7.4 on) drops every eBGP route without a policy unless told not to; with no zebra it has no
        // router id of its own.
        Files.writeString(config, """
                log stdout debugging
                log timestamp precision 3
                debug bgp neighbor-events
                debug bgp updates in
                !
                router bgp %d
                 bgp router-id %s
                 no bgp ebgp-requires-policy
                 neighbor %s remote-as %d
                 neighbor %s passive
                 neighbor %s timers %d %d
                 neighbor %s timers connect 1
                !
                """.formatted(as, address, neighbor, neighborAs, neighbor, neighbor, Math.max(1, holdTime / 3),
                holdTime, neighbor));
        List<String> command = new ArrayList<>(prefix);
        // -S: stay root (-u root is refused, root not being in the frrvty group); -P 0: no TCP vty; -z: a zebra
        // socket path of the test's own, never the system's.
        command.addAll(List.of(bgpd, "-Z", "-S", "-f", config.toString(), "-i", dir.resolve("bgpd.pid").toString(),
                "--vty_socket", dir.toString(), "-z", dir.resolve("zserv.api").toString(), "-P", "0", "-l", address,
                "-p", Integer.toString(port)));
        return new FrrPeer(new LabProcess("bgpd", new ProcessBuilder(command).redirectErrorStream(true).start()), dir);
    }

    /** FRR's view of a neighbour ({@code show bgp neighbors ADDRESS json}); its bgpState is e.g. Established. */
    JsonNode neighbor(String address) {
        return show("show bgp neighbors " + address + " json").path(address);
    }

    String state(String neighbor) {
        return neighbor(neighbor).path("bgpState").asText();
    }

    /** {@code show bgp ipv4 unicast PREFIX json}: every path of the prefix, or an empty object when FRR has none. */
    JsonNode route(String prefix) {
        return show("show bgp ipv4 unicast " + prefix + " json");
    }

    static boolean has(JsonNode route, String prefix) {
        return route.path("prefix").asText().equals(prefix);
    }

    /** What vtysh printed, parsed; text that is not JSON (vtysh's own error) comes back as a text node. */
    private JsonNode show(String command) {
        List<String> full = new ArrayList<>(vtysh);
        full.addAll(List.of("-c", command));
        String out = PeerProcess.run(full);
        try {
            return JSON.readTree(out);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(out);
        }
    }

    /** Everything bgpd logged so far. */
    String log() {
        return String.join("\n", process.lines());
    }

    /** SIGTERM first, so bgpd removes its directory under /var/tmp/frr; SIGKILL if it does not stop. */
    @Override
    public void close() {
        try {
            process.terminate(Duration.ofSeconds(10));
        } catch (IllegalStateException e) {
            // already gone, or still running: the kill below settles it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            process.close();
        }
    }
}
