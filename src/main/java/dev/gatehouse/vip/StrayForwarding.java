package dev.gatehouse.vip;

import dev.gatehouse.config.ClusterConfig.Arp;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A graceful successor hands packets of connections it does not know back to its predecessor, which still holds
 * the address and finishes them: in iptables' mangle table (chain {@value #CHAIN}), TCP to the VIP that is
 * neither a SYN nor part of a connection this host knows is copied to the predecessor's cluster address
 * ({@code TEE}) and dropped here, for a window after the takeover. Needs iptables and the predecessor on the VIP's
 * segment. Called from the cluster's thread.
 */
final class StrayForwarding {

    private static final Logger LOG = LoggerFactory.getLogger(StrayForwarding.class);

    /** The mangle-table chain that holds the stray-forwarding rules of handovers in progress. */
    static final String CHAIN = "GATEHOUSE-STRAYS";

    private final MangleChain chain;
    private final Duration window;

    StrayForwarding(CommandRunner commands, Duration window) {
        this.chain = new MangleChain(CHAIN, commands);
        this.window = Objects.requireNonNull(window, "window");
    }

    /** Stray rules a killed process left would outlive their handover: flushes them (fails when there are none). */
    static void flushLeftovers(CommandRunner commands) {
        new MangleChain(CHAIN, commands).flush();
    }

    /** Forwards strays of {@code vip} to {@code predecessorHost} for the window, if it is on the VIP's segment. */
    void forward(VipConfig vip, Arp arp, String predecessorHost) {
        if (!onSegment(vip.address(), arp.prefix(), predecessorHost)) {
            LOG.info("VIP {}: {} is not on the VIP's segment; requests in flight there at the switch may fail",
                    vip.name(), predecessorHost);
            return;
        }
        if (!chain.ready()) {
            LOG.warn("VIP {}: no iptables; requests in flight at a handover's switch may fail", vip.name());
            return;
        }
        List<List<String>> rules = List.of(strayRule(vip, "-j", "TEE", "--gateway", predecessorHost), strayRule(vip, "-j", "DROP"));
        for (List<String> rule : rules) {
            ArpVipDriver.logFailure(chain.append(rule), "strays not forwarded to " + predecessorHost);
        }
        Thread.ofVirtual().name("vip-strays-" + vip.name()).start(() -> {
            try {
                Thread.sleep(window);
            } catch (InterruptedException e) {
                return;
            }
            rules.forEach(rule -> ArpVipDriver.logFailure(chain.delete(rule), "stray rule left"));
        });
    }

    /** Whether IPv4 literal {@code host} is in {@code vip}/{@code prefix}. */
    static boolean onSegment(String vip, int prefix, String host) {
        try {
            int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            return (ipv4(vip) & mask) == (ipv4(host) & mask);
        } catch (IllegalArgumentException notIpv4) {
            return false;
        }
    }

    private static int ipv4(String literal) {
        byte[] b = InetAddress.ofLiteral(literal).getAddress();
        if (b.length != 4) {
            throw new IllegalArgumentException("not IPv4: " + literal);
        }
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    /** TCP to the VIP that is not a SYN and belongs to no connection of this host (then {@code more}). */
    static List<String> strayRule(VipConfig vip, String... more) {
        List<String> rule = new ArrayList<>(List.of("-d", vip.address() + "/32", "-p", "tcp", "!", "--syn",
                "-m", "conntrack", "--ctstate", "NEW,INVALID"));
        rule.addAll(List.of(more));
        return rule;
    }
}
