package dev.gatehouse.node;

import dev.gatehouse.admin.StatusReport;
import dev.gatehouse.bgp.BackOff;
import dev.gatehouse.bgp.BfdTimers;
import dev.gatehouse.bgp.BgpSpeaker;
import dev.gatehouse.bgp.PeerSettings;
import dev.gatehouse.bgp.PeerStatus;
import dev.gatehouse.config.BgpConfig;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.time.Ticker;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.concurrent.locks.LockSupport;

/** This node's BGP speaker, built from {@code node.bgp}: started with the cluster member, closed after it. */
final class BgpRuntime implements AutoCloseable {

    private final BgpConfig config;
    private final BgpSpeaker speaker;

    private BgpRuntime(BgpConfig config, BgpSpeaker speaker) {
        this.config = config;
        this.speaker = speaker;
    }

    /** @param events told (peer, detail) when BFD takes a session down */
    static BgpRuntime start(BgpConfig config, Ticker ticker, Metrics metrics, BiConsumer<String, String> events)
            throws UnknownHostException {
        List<PeerSettings> peers = new ArrayList<>();
        Inet4Address routerId = (Inet4Address) InetAddress.getByName(config.routerId());
        for (BgpConfig.Peer p : config.peers()) {
            peers.add(new PeerSettings(config.localAs(), routerId, InetAddress.getByName(p.address()), p.port(), p.as(),
                    (int) p.holdTime().toSeconds(),
                    p.md5Key() == null ? null : p.md5Key().getBytes(StandardCharsets.UTF_8), null,
                    p.bfd() == null ? null : new BfdTimers(p.bfd().interval(), p.bfd().multiplier())));
        }
        return new BgpRuntime(config, BgpSpeaker.start(peers, BackOff.DEFAULT, ticker, metrics.registry(), events));
    }

    BgpSpeaker speaker() {
        return speaker;
    }

    /** {@code node.bgp.graceful_shutdown}: how long a planned withdrawal announces its routes as leaving first. */
    Duration gracefulShutdown() {
        return config.gracefulShutdown();
    }

    List<StatusReport.BgpPeerStatus> status() {
        List<StatusReport.BgpPeerStatus> out = new ArrayList<>();
        for (PeerStatus s : speaker.status()) {
            out.add(new StatusReport.BgpPeerStatus(s.address(), s.port(), s.as(), s.state().label(),
                    s.uptime() == null ? -1 : s.uptime().toSeconds(), s.flaps(), s.lastError(), s.bfd()));
        }
        return out;
    }

    /** Announces every route with GRACEFUL_SHUTDOWN, then waits {@code graceful_shutdown} before the withdrawal. */
    void withdrawGracefully() {
        if (config.gracefulShutdown().isZero()) {
            return;
        }
        speaker.withdrawAllGracefully(config.gracefulShutdown());
        // the shutdown's own pause, on the caller's (shutdown) thread: routers move new flows meanwhile
        LockSupport.parkNanos(config.gracefulShutdown().toNanos());
    }

    @Override
    public void close() {
        speaker.close("Gatehouse node stopping");
    }
}
