package dev.gatehouse.vip;

import dev.gatehouse.bgp.BgpSpeaker;
import dev.gatehouse.bgp.Community;
import dev.gatehouse.bgp.Route;
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
 */
public final class BgpVipDriver implements VipDriver {


    private final BgpSpeaker speaker;
    private final CommandRunner commands;
    private final Duration watchdogSilence;
    /** Hears of announcements and withdrawals, as (VIP name, what happened). */
    private final BiConsumer<String, String> events;
    private final Map<String, Holding> holdings = new ConcurrentHashMap<>();

    BgpVipDriver(BgpSpeaker speaker, CommandRunner commands, Duration watchdogSilence, BiConsumer<String, String> events) {
        this.speaker = Objects.requireNonNull(speaker, "speaker");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.watchdogSilence = Objects.requireNonNull(watchdogSilence, "watchdogSilence");
        this.events = Objects.requireNonNull(events, "events");
    }

    /** A driver for this host whose watchdog outwaits no renewal longer than {@code clusterLease} allows. */
    public static BgpVipDriver create(BgpSpeaker speaker, Duration clusterLease, BiConsumer<String, String> events) {
        return new BgpVipDriver(speaker, ProcessCommandRunner.forDrivers(),
                CommandRunner.Watchdog.silenceFor(clusterLease), events);
    }

    @Override
    public void acquire(VipConfig vip) throws IOException {
        Route route = route(vip);
        CommandRunner.Result added = commands.start(addressCommand("replace", route)).join();
        if (!added.ok()) {
            throw new IOException("VIP " + vip.name() + " not added to lo: " + added.describe());
        }
        Holding previous = holdings.put(vip.name(),
                new Holding(route, commands.watch(addressCommand("del", route), watchdogSilence)));
        if (previous != null) {
            previous.watchdog.stop();
        }
        speaker.announce(route);
        events.accept(vip.name(), "announced " + route + " over BGP (lease held)");
    }

    @Override
    public void release(VipConfig vip) throws IOException {
        Route route = route(vip);
        speaker.withdraw(route.address());
        Holding holding = holdings.remove(vip.name());
        if (holding != null) {
            holding.watchdog.stop();
            events.accept(vip.name(), "withdrew " + route + " (released)");
        }
        CommandRunner.Result deleted = commands.start(addressCommand("del", route)).join();
        if (!deleted.addressGone()) {
            throw new IOException("VIP " + vip.name() + " not deleted from lo: " + deleted.describe());
        }
    }

    @Override
    public void refresh(VipConfig vip) {
        Holding holding = holdings.get(vip.name());
        if (holding != null) {
            holding.watchdog.feed();
        }
    }

    /** Keeps announcing while the successor takes over, once with GRACEFUL_SHUTDOWN added so it is preferred. */
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
            events.accept(vip.name(), "announcing with GRACEFUL_SHUTDOWN while the successor takes over");
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
        final CommandRunner.Watchdog watchdog;
        volatile boolean leaving;

        Holding(Route route, CommandRunner.Watchdog watchdog) {
            this.route = route;
            this.watchdog = watchdog;
        }
    }
}
