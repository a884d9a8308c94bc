package dev.gatehouse.bgp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real BIRD 2 (Debian bird2) as a passive eBGP peer on a loopback address and port of the test's choosing, with
 * its own config and control socket in {@code dir}. It touches no kernel table (no kernel protocol).
 */
final class BirdPeer extends PeerProcess {

    static final String PROTOCOL = "gatehouse";
    private final Path socket;

    private BirdPeer(Path dir, Path config, Path socket) {
        super("bird", List.of("bird", "-f", "-c", config.toString(), "-s", socket.toString(), "-P",
                dir.resolve("bird.pid").toString()));
        this.socket = socket;
    }

    /**
     * @param extra lines added to the BGP protocol block (e.g. a password)
     */
    static BirdPeer start(Path dir, String address, int port, long as, String neighbor, long neighborAs, int holdTime,
            String extra) throws IOException {
        Path config = dir.resolve("bird.conf");
        Files.writeString(config, """
                router id %s;
                log stderr all;
                protocol device { }
                protocol bgp %s {
                  local %s port %d as %d;
                  neighbor %s as %d;
                  passive on;
                  multihop; # BIRD takes no neighbor on a host-scope address (127/8) otherwise
                  hold time %d;
                  connect retry time 1;
                  error wait time 1, 2;
                  %s
                  ipv4 { import all; export none; };
                  ipv6 { import all; export none; };
                }
                """.formatted(address.contains(":") ? "127.0.0.3" : address, PROTOCOL, address, port, as, neighbor, neighborAs,
                holdTime, extra));
        return new BirdPeer(dir, config, dir.resolve("bird.ctl"));
    }

    String birdc(String... command) {
        List<String> full = new java.util.ArrayList<>(List.of("birdc", "-s", socket.toString()));
        full.addAll(List.of(command));
        return run(full);
    }

    /** "Established" while the session is up, else BIRD's state of it. */
    String sessionState() {
        String out = birdc("show", "protocols", "all", PROTOCOL);
        int at = out.indexOf("BGP state:");
        return at < 0 ? out : out.substring(at + "BGP state:".length()).strip().split("\\s+")[0];
    }

    String protocolDetail() {
        return birdc("show", "protocols", "all", PROTOCOL);
    }

    /** BIRD's view of {@code prefix} with all attributes, or text without the prefix when it has no such route. */
    String route(String prefix) {
        return birdc("show", "route", "for", prefix, "all");
    }
}
