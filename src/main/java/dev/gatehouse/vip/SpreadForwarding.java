package dev.gatehouse.vip;

import dev.gatehouse.config.ClusterConfig.VipConfig;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps established connections of an active-active VIP alive when the routers' ECMP set changes. A router's
 * multipath hash is not stable: when a next hop is added or removed, flows move between the surviving ones too, and
 * a node that gets a segment of a connection it never accepted would answer it with a reset.
 *
 * <p>So each node that serves the VIP hands such packets to every other node: in iptables' mangle table (chain
 * {@value #CHAIN}), TCP to the VIP that is neither a SYN nor part of a connection this host knows is marked (DSCP
 * {@value #FORWARDED_DSCP}, from the pool for local use), copied to each peer's cluster address ({@code TEE}) and
 * dropped here. The peer that holds the connection accepts its copy; the others drop a marked packet they do not
 * know instead of forwarding it again, so every copy travels one hop. Only packets of flows the router moved are
 * copied, once to each peer. Needs iptables and the peers on this node's segment; IPv4 only (an IPv6 VIP's moved
 * flows are reset). Called from the cluster's thread.
 */
final class SpreadForwarding {

    private static final Logger LOG = LoggerFactory.getLogger(SpreadForwarding.class);

    /** The mangle-table chain that holds the rules of the active-active VIPs this node serves. */
    static final String CHAIN = "GATEHOUSE-SPREAD";
    /** The mark of a packet a peer forwarded (DSCP pool 3, "experimental or local use", RFC 2474). */
    static final int FORWARDED_DSCP = 5;

    private final MangleChain chain;
    private final List<String> peers;
    /** The rules in place, by VIP name. */
    private final Map<String, List<List<String>>> installed = new HashMap<>();

    /** @param peers the other nodes' cluster addresses */
    SpreadForwarding(CommandRunner commands, List<String> peers) {
        this.chain = new MangleChain(CHAIN, commands);
        this.peers = List.copyOf(peers);
    }

    /** Rules a killed process left would forward to stale peers: flushes them (fails when there are none). */
    static void flushLeftovers(CommandRunner commands) {
        new MangleChain(CHAIN, commands).flush();
    }

    /** Forwards packets of connections this host does not know to every peer; before the VIP is announced. */
    void install(VipConfig vip) {
        if (installed.containsKey(vip.name()) || peers.isEmpty()) {
            return;
        }
        if (!(InetAddress.ofLiteral(vip.address()) instanceof Inet4Address)) {
            LOG.info("VIP {}: no forwarding of moved flows for an IPv6 VIP; connections the routers move are reset",
                    vip.name());
            return;
        }
        if (!chain.ready()) {
            LOG.warn("VIP {}: no iptables; connections the routers move to another node will be reset", vip.name());
            return;
        }
        String mark = Integer.toString(FORWARDED_DSCP);
        List<List<String>> rules = new ArrayList<>();
        rules.add(StrayForwarding.strayRule(vip, "-m", "dscp", "--dscp", mark, "-j", "DROP"));
        rules.add(StrayForwarding.strayRule(vip, "-j", "DSCP", "--set-dscp", mark));
        for (String peer : peers) {
            rules.add(StrayForwarding.strayRule(vip, "-j", "TEE", "--gateway", peer));
        }
        rules.add(StrayForwarding.strayRule(vip, "-j", "DROP"));
        for (List<String> rule : rules) {
            ArpVipDriver.logFailure(chain.append(rule), "moved flows not forwarded");
        }
        installed.put(vip.name(), rules);
    }

    /** Takes the VIP's rules away; when the address is gone. */
    void remove(VipConfig vip) {
        List<List<String>> rules = installed.remove(vip.name());
        if (rules != null) {
            rules.forEach(rule -> ArpVipDriver.logFailure(chain.delete(rule), "forwarding rule left"));
        }
    }
}
