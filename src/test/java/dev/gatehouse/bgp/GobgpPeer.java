package dev.gatehouse.bgp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real GoBGP (Debian gobgpd) as a passive eBGP peer, run with {@code prefix} (ip netns exec) on an address and
 * port of the test's choosing; its gRPC API listens on {@code apiPort} of that address, where the {@code gobgp} CLI
 * reads its RIB.
 */
final class GobgpPeer extends PeerProcess {

    private final List<String> prefix;
    private final String address;
    private final int apiPort;

    private GobgpPeer(List<String> prefix, Path config, String address, int apiPort) {
        super("gobgpd", with(prefix, "gobgpd", "-f", config.toString(), "-t", "toml", "-p", "--api-hosts",
                address + ":" + apiPort, "--pprof-disable"));
        this.prefix = prefix;
        this.address = address;
        this.apiPort = apiPort;
    }

    static GobgpPeer start(List<String> prefix, Path dir, String address, int port, int apiPort, long as,
            String neighbor, long neighborAs, int holdTime) throws IOException {
        Path config = dir.resolve("gobgpd.toml");
        Files.writeString(config, """
                [global.config]
                  as = %d
                  router-id = "%s"
                  port = %d
                  local-address-list = ["%s"]
                [[neighbors]]
                  [neighbors.config]
                    neighbor-address = "%s"
                    peer-as = %d
                  [neighbors.timers.config]
                    hold-time = %d
                    keepalive-interval = %d
                    connect-retry = 1
                  [neighbors.transport.config]
                    passive-mode = true
                  [[neighbors.afi-safis]]
                    [neighbors.afi-safis.config]
                      afi-safi-name = "ipv4-unicast"
                  [[neighbors.afi-safis]]
                    [neighbors.afi-safis.config]
                      afi-safi-name = "ipv6-unicast"
                """.formatted(as, address, port, address, neighbor, neighborAs, holdTime, Math.max(1, holdTime / 3)));
        return new GobgpPeer(prefix, config, address, apiPort);
    }

    private static List<String> with(List<String> prefix, String... command) {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(List.of(command));
        return full;
    }

    String gobgp(String... command) {
        List<String> full = with(prefix, "gobgp", "-u", address, "-p", Integer.toString(apiPort));
        full.addAll(List.of(command));
        return run(full);
    }

    /** GoBGP's neighbor table (its state column says "Establ" while the session is up). */
    String neighbors() {
        return gobgp("neighbor");
    }

    /** The global RIB of {@code family} (ipv4 or ipv6) as JSON. */
    String rib(String family) {
        return gobgp("global", "rib", "-a", family, "-j");
    }
}
