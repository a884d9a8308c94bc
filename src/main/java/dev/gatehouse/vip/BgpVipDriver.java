package dev.gatehouse.vip;

import dev.gatehouse.bgp.BgpSpeaker;
import dev.gatehouse.bgp.Community;
import dev.gatehouse.bgp.Route;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Puts a VIP in service by routing, for L3 fabrics without a shared segment: the holder adds the address to its
 * {@code lo} (so the kernel accepts packets for it; nothing answers ARP for an address on lo towards other links)
 * and announces its host route (/32, /128) to every BGP peer of {@code node.bgp}; release withdraws the route
 * first, then deletes the address.
 *
 * <p>A killed JVM's BGP sessions close with it and the routers drop the route at once (no Graceful Restart). The
 * address on {@code lo} would stay, harmless to routing but wrong on the host, so the same watchdog as the
 * {@code arp} driver's ({@link CommandRunner#watch}) deletes it when this JVM dies or stops renewing.
 *
 * <p>A graceful handover overlaps: both nodes announce for a moment, the leaving one with GRACEFUL_SHUTDOWN
 * (RFC 8326) so routers that honour it send new flows to the successor, until the release withdraws it.
 *
 * <p>An {@code active_active} VIP is announced by every node that can serve; packets of connections the routers move
 * between nodes are handed to the node that holds them ({@link SpreadForwarding}), and a node that leaves
 * {@link #withdraw withdraws} first and keeps the address while its connections finish.
 */
public final class BgpVipDriver implements VipDriver {


    /** An active-active address's watchdog deletes it when this process dies (its input closes), or stalls this long. */
    private static final Duration ACTIVE_WATCHDOG_SILENCE = Duration.ofSeconds(30);

    private final BgpSpeaker speaker;
    private final CommandRunner commands;
    private final Duration watchdogSilence;
    private final Duration gracefulShutdown;
    private final SpreadForwarding spread;
    /** Hears of announcements and withdrawals, as (VIP name, what happened). */
    private final BiConsumer<String, String> events;
    private final Map<String, Holding> holdings = new ConcurrentHashMap<>();

    /**
     * @param gracefulShutdown how long a node that leaves an active-active VIP on purpose announces it with
     *     GRACEFUL_SHUTDOWN before withdrawing ({@code node.bgp.graceful_shutdown})
     * @param peers the other nodes' cluster addresses, where packets of moved active-active flows go
     */
    BgpVipDriver(BgpSpeaker speaker, CommandRunner commands, Duration watchdogSilence, Duration gracefulShutdown,
            List<String> peers, BiConsumer<String, String> events) {
        this.speaker = Objects.requireNonNull(speaker, "speaker");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.watchdogSilence = Objects.requireNonNull(watchdogSilence, "watchdogSilence");
        this.gracefulShutdown = Objects.requireNonNull(gracefulShutdown, "gracefulShutdown");
        this.spread = new SpreadForwarding(commands, peers);
        this.events = Objects.requireNonNull(events, "events");
    }

    /**
     * A driver for this host whose watchdog outwaits no renewal longer than {@code clusterLease} allows; forwarding
     * rules a killed process left are flushed.
     */
    public static BgpVipDriver create(BgpSpeaker speaker, Duration clusterLease, Duration gracefulShutdown,
            List<String> peers, BiConsumer<String, String> events) {
        CommandRunner commands = ProcessCommandRunner.forDrivers();
        SpreadForwarding.flushLeftovers(commands);
        return new BgpVipDriver(speaker, commands, CommandRunner.Watchdog.silenceFor(clusterLease), gracefulShutdown,
                peers, events);
    }

    @Override
    public void acquire(VipConfig vip) throws IOException {
        Route route = route(vip);
        boolean activeActive = vip.mode() == Mode.ACTIVE_ACTIVE;
        if (activeActive) {
            // before the address: from then on this host would reset the packets of other nodes' connections that
            // they hand to it (and, once announced, those the routers send it)
            spread.install(vip);
        }
        Holding previous = holdings.put(vip.name(), new Holding(route, addAddress(vip, route)));
        if (previous != null) {
            previous.watchdog.stop();
        }
        speaker.announce(route);
        events.accept(vip.name(), "announced " + route + " over BGP (" + (activeActive ? "able to serve" : "lease held") + ")");
    }

    /** Stops announcing and keeps the address: connections accepted here finish, their packets forwarded back here. */
    @Override
    public void withdraw(VipConfig vip) {
        Holding holding = holdings.get(vip.name());
        if (holding != null && !holding.withdrawn) {
            holding.withdrawn = true;
            speaker.withdraw(holding.route.address());
            events.accept(vip.name(), "withdrew " + holding.route + " (finishing the connections here)");
        }
    }

    @Override
    public Duration leaveNotice(VipConfig vip) {
        return gracefulShutdown;
    }

    @Override
    public void release(VipConfig vip) throws IOException {
        Route route = route(vip);
        Holding holding = holdings.remove(vip.name());
        if (holding == null || !holding.withdrawn) {
            speaker.withdraw(route.address());
        }
        if (holding != null) {
            holding.watchdog.stop();
            events.accept(vip.name(), holding.withdrawn ? "address taken off lo" : "withdrew " + route + " (released)");
        }
        CommandRunner.Result deleted = commands.start(addressCommand("del", route)).join();
        if (!deleted.addressGone()) {
            throw new IOException("VIP " + vip.name() + " not deleted from lo: " + deleted.describe());
        }
        spread.remove(vip);
    }

    @Override
    public void refresh(VipConfig vip) throws IOException {
        Holding holding = holdings.get(vip.name());
        if (holding != null && !holding.watchdog.feed()) {
            // it ran: this process stalled past the watchdog's silence and the address went, but the VIP is still
            // held (its lease renewed, or active-active and able), so the address comes back
            holding.watchdog = addAddress(vip, holding.route);
            events.accept(vip.name(), "address put back on lo: its watchdog had taken it after this process stalled");
        }
    }

    /**
     * Adds the VIP's address to lo, watched: an active-passive VIP's address goes when renewals stop for most of a
     * lease (the peer may take over); an active-active one's only when this process dies, as a frozen node's
     * address harms no one (its routes leave with its sessions).
     */
    private CommandRunner.Watchdog addAddress(VipConfig vip, Route route) throws IOException {
        CommandRunner.Result added = commands.start(addressCommand("replace", route)).join();
        if (!added.ok()) {
            throw new IOException("VIP " + vip.name() + " not added to lo: " + added.describe());
        }
        Duration silence = vip.mode() == Mode.ACTIVE_ACTIVE ? ACTIVE_WATCHDOG_SILENCE : watchdogSilence;
        return commands.watch(addressCommand("del", route), silence);
    }

    /**
     * Keeps announcing while the successor takes over (or, active-active, before withdrawing), once with
     * GRACEFUL_SHUTDOWN added so routers that honour it send new flows elsewhere.
     */
    @Override
    public CompletableFuture<Void> keepDuringHandover(VipConfig vip) {
        Holding holding = holdings.get(vip.name());
        if (holding == null) {
            return CompletableFuture.completedFuture(null);
        }
        holding.watchdog.feed();
        if (!holding.leaving) {
            holding.leaving = true;
            speaker.announce(holding.route.with(Community.GRACEFUL_SHUTDOWN));
            events.accept(vip.name(), "announcing with GRACEFUL_SHUTDOWN before withdrawing");
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Two nodes may announce the same host route at once: routers spread or prefer, nothing conflicts. */
    @Override
    public boolean overlapsOnHandover(VipConfig vip) {
        return true;
    }

    private static Route route(VipConfig vip) throws IOException {
        List<Community> communities = vip.bgp() == null ? List.of()
                : vip.bgp().communities().stream().map(Community::parse).toList();
        return new Route(InetAddress.getByName(vip.address()), communities);
    }

    private static List<String> addressCommand(String verb, Route route) {
        return List.of("ip", "addr", verb, route.prefix(), "dev", "lo");
    }

    private static final class Holding {
        final Route route;
        volatile CommandRunner.Watchdog watchdog;
        volatile boolean leaving;
        volatile boolean withdrawn;

        Holding(Route route, CommandRunner.Watchdog watchdog) {
            this.route = route;
            this.watchdog = watchdog;
        }
    }
}
