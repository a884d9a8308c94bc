package dev.gatehouse.vip;

import dev.gatehouse.config.ClusterConfig.VipConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The announcements of a held VIP: gratuitous ARPs that move the segment's ARP caches to this host. */
final class GratuitousArp {

    private static final Logger LOG = LoggerFactory.getLogger(GratuitousArp.class);

    /** Gratuitous ARPs of one announcement are this far apart, so one lost frame does not lose the move. */
    static final Duration SPACING = Duration.ofMillis(100);

    private final CommandRunner commands;

    GratuitousArp(CommandRunner commands) {
        this.commands = Objects.requireNonNull(commands, "commands");
    }

    /** One gratuitous ARP at once from this process's own packet socket (no process to start first). */
    static void announceNow(VipConfig vip) {
        try (ArpSocket socket = ArpSocket.open(vip.arp().iface())) {
            socket.broadcast(ArpFrames.announcement(socket.mac(), InetAddress.ofLiteral(vip.address()).getAddress()));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("VIP {}: first gratuitous ARP not sent from this process: {}", vip.name(), e.getMessage());
        }
    }

    /**
     * Sends {@code count} gratuitous ARPs {@link #SPACING} apart on a virtual thread, stopping as soon as
     * {@code announcing} turns false (the VIP released, or handed over). arping lingers about a second for replies
     * that never come, so each runs on its own.
     *
     * @param held whether the VIP is still held here when a send ends (after that, a failure is expected)
     */
    void send(VipConfig vip, int count, BooleanSupplier announcing, BooleanSupplier held) {
        List<String> garp = List.of("arping", "-q", "-U", "-c", "1", "-I", vip.arp().iface(), vip.address());
        Thread.ofVirtual().name("vip-garp-" + vip.name()).start(() -> {
            for (int i = 0; i < count && announcing.getAsBoolean(); i++) {
                // Once released, arping refuses to bind the address: expected, not worth a warning.
                commands.start(garp).thenAccept(result -> {
                    if (held.getAsBoolean()) {
                        ArpVipDriver.logFailure(result, "gratuitous ARP not sent");
                    }
                });
                if (i + 1 < count) {
                    try {
                        Thread.sleep(SPACING);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
    }
}
