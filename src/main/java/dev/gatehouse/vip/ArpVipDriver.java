package dev.gatehouse.vip;

import dev.gatehouse.config.ClusterConfig.Arp;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.time.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a VIP on a Linux LAN: the owner adds the address to an interface and announces it with gratuitous ARP
 * ({@code arping -U}, iputils), so switches and clients send to the new MAC at once; release deletes it. Needs
 * CAP_NET_ADMIN and CAP_NET_RAW.
 *
 * <p><b>A killed or stopped owner.</b> After kill -9 nothing in this process runs, yet the kernel would keep the
 * address and keep answering ARP for it (and resetting connections) forever. Two guards remove it. First a
 * watchdog: a small child process, fed on every renewal, that deletes the address the moment this JVM dies (its
 * pipe closes) or after {@link CommandRunner.Watchdog#silenceFor} without a renewal (SIGSTOP, a stall), before the peer may
 * take over. Second, as a backstop should the watchdog be killed too, the address itself is leased from the
 * kernel: it is added with {@code valid_lft}/{@code preferred_lft} of {@link #addressLifetime} and every
 * {@link #refresh} (each successful cluster renewal) re-issues it. When the process dies or stops (SIGSTOP,
 * a long pause) the kernel deletes the address by itself. Lifetimes are whole seconds and at least 1; the lab
 * measured the address gone 1.03-1.07 s after the last re-issue with a 1 s lifetime. The lifetime must outlast
 * the cluster lease after each renewal, or the node would drop the VIP while it may still serve it; see
 * {@link #lifetimeFor}. Being whole seconds, it outlasts the peer's wait before takeover (lease * 1.1 + 50 ms):
 * that is why the watchdog comes first.
 *
 * <p><b>A graceful handover.</b> The old owner keeps the address until this node serves, but the clients' ARP
 * entries switch at one instant, and a request in flight to the old owner would then send its next packet here
 * and meet a reset. So before it adds the address, a successor forwards such strays back: in iptables' mangle
 * table (chain {@value StrayForwarding#CHAIN}), TCP to the VIP that is neither a SYN nor part of a connection this host
 * knows is copied to the old owner's cluster address ({@code TEE}) and dropped here, for {@code strayWindow}
 * after the takeover. The old owner still holds the address then, so its kernel takes the packet as its own.
 * This needs iptables and the old owner's cluster address on the VIP's segment; without them a handover still
 * works, and only requests in flight at the switch can fail.
 *
 * <p><b>A frozen owner.</b> When every process of the owner stops at once (a cgroup freeze, SIGSTOP of the JVM and
 * the watchdog, a paused container) nothing deletes the address, and the kernel answers ARP for it by itself until
 * its lifetime ends, after the peer took over. The {@link KernelFence} closes it in the kernel instead, on a
 * timeout re-armed on every renewal. And before adding the address a new owner probes for it ({@link AddressProbe},
 * duplicate address detection) until nobody answers, unless it takes over from an owner that handed the VIP over
 * gracefully and still holds it on purpose.
 *
 * <p><b>Threads.</b> The cluster calls from its tick thread. {@link #acquire} waits for the address to be added
 * (the node binds listeners on it next) and {@link #release} for it to be deleted, one short {@code ip} command
 * each; everything else (lifetime renewals, ARP announcements) runs on virtual threads. Address commands run one
 * at a time in call order, so a renewal queued before a release can never re-add the address after it; the
 * fence's commands likewise, in a queue of their own.
 */
public final class ArpVipDriver implements VipDriver {

    private static final Logger LOG = LoggerFactory.getLogger(ArpVipDriver.class);

    /** Refresh is called on every renewal; re-issuing the lifetime more often than this only costs forks. */
    static final Duration LIFETIME_RENEWAL_SPACING = Duration.ofMillis(100);

    private final CommandRunner commands;
    private final Ticker ticker;
    private final long lifetimeSeconds;
    private final Duration watchdogSilence;
    private final StrayForwarding strays;
    /** Null when nftables is not there: then only the watchdog and the lifetime take the address away. */
    private final HeldFence fence;
    /** Null: acquire adds the address without probing for it first. */
    private final AddressProbe probe;
    /** Whether this process can send ARP itself ({@link ArpSocket}): then a takeover's first announcement does. */
    private final boolean ownArpSocket;
    /** Hears of what an operator should see, as (VIP name, what happened). */
    private final BiConsumer<String, String> notices;
    /** VIPs whose next acquisition takes over from a graceful predecessor, which holds the address on purpose. */
    private final Set<String> gracefulTakeovers = ConcurrentHashMap.newKeySet();
    private final Map<String, Holding> holdings = new ConcurrentHashMap<>();
    /** The end of each VIP's lease (ticker nanos), as the last renewal that proved it said; none for active-active. */
    private final Map<String, Long> leaseEnds = new ConcurrentHashMap<>();
    /** Probes started at a grant (see {@link #prepare}), each taken by the acquisition that follows. */
    private final Map<String, CompletableFuture<AddressProbe.Outcome>> probes = new ConcurrentHashMap<>();
    private final CommandQueue addressCommands = new CommandQueue();
    private final GratuitousArp garps;

    /**
     * @param fence null: no kernel fence
     * @param probe null: no probing before the address is added
     * @param ownArpSocket whether the first gratuitous ARP of an acquisition leaves from this process's own socket
     */
    ArpVipDriver(CommandRunner commands, Duration addressLifetime, Duration watchdogSilence, Duration strayWindow,
            Ticker ticker, KernelFence fence, AddressProbe probe, boolean ownArpSocket, BiConsumer<String, String> notices) {
        this.commands = Objects.requireNonNull(commands, "commands");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(addressLifetime, "addressLifetime");
        if (addressLifetime.toSeconds() < 1 || addressLifetime.toNanosPart() != 0) {
            throw new IllegalArgumentException(
                    "addressLifetime must be whole seconds, at least 1 (a kernel limit), was " + addressLifetime);
        }
        this.lifetimeSeconds = addressLifetime.toSeconds();
        this.watchdogSilence = Objects.requireNonNull(watchdogSilence, "watchdogSilence");
        this.strays = new StrayForwarding(commands, strayWindow);
        this.garps = new GratuitousArp(commands);
        this.fence = fence == null ? null : new HeldFence(fence, commands, ticker);
        this.probe = probe;
        this.ownArpSocket = ownArpSocket;
        this.notices = Objects.requireNonNull(notices, "notices");
    }

    /**
     * A driver for this host whose address lifetime covers {@code clusterLease}; {@code notices} hears of what an
     * operator should see (VIP name, what happened), e.g. a takeover of an address something else still answered.
     */
    public static ArpVipDriver create(Duration clusterLease, Ticker ticker, BiConsumer<String, String> notices) {
        return withTools(ProcessCommandRunner.forDrivers(), clusterLease, ticker, notices);
    }

    /**
     * Checks once, at start, that {@code ip} and {@code arping} run, so a missing package shows at start rather
     * than at the first failover. It also warms up process spawning: the first child a JVM starts takes ~100 ms
     * longer than the next ones (measured in the lab), which would otherwise delay the first takeover.
     */
    private static ArpVipDriver withTools(CommandRunner commands, Duration clusterLease, Ticker ticker,
            BiConsumer<String, String> notices) {
        for (List<String> check : List.of(List.of("ip", "-V"), List.of("arping", "-V"))) {
            CommandRunner.Result result = commands.start(check).join();
            if (!result.ok()) {
                LOG.error("VIP: arp driver cannot run {} (needs iproute2 and iputils-arping): {}", check.getFirst(),
                        result.describe());
            }
        }
        // stray rules a killed process left would outlive their handover: flush them (fails when there are none)
        StrayForwarding.flushLeftovers(commands);
        Duration silence = CommandRunner.Watchdog.silenceFor(clusterLease);
        KernelFence fence = KernelFence.forLease(clusterLease);
        // the tables, in place of any a killed process left (they fence nothing it still holds)
        CommandRunner.Result nft = commands.start(fence.install()).join();
        if (!nft.ok()) {
            LOG.warn("VIP: no nftables ({}): a node whose processes all freeze answers ARP for its VIP until the address"
                    + " lifetime ends, after the peer took over", nft.describe());
            fence = null;
        }
        // strays matter while the old owner still holds the address: at most two leases into a handover; an honest
        // former owner stops answering for the address a watchdog silence after its last renewal at the latest
        AddressProbe arping = new ArpingProbe(commands, ticker, silence);
        // this process's own ARP socket where it can open one (CAP_NET_RAW, native access), else arping
        boolean ownSocket = ArpSocket.warmUp();
        return new ArpVipDriver(commands, lifetimeFor(clusterLease), silence, clusterLease.multipliedBy(2), ticker, fence,
                ownSocket ? new PacketProbe(ticker, silence, arping) : arping, ownSocket, notices);
    }

    /**
     * The shortest whole-second lifetime that outlives the lease after any renewal, even one whose lifetime
     * re-issue was skipped as too soon: lease + 2 * {@link #LIFETIME_RENEWAL_SPACING}, rounded up (1 s for the
     * default 600 ms lease).
     */
    static Duration lifetimeFor(Duration clusterLease) {
        Objects.requireNonNull(clusterLease, "clusterLease");
        if (clusterLease.isNegative() || clusterLease.isZero()) {
            throw new IllegalArgumentException("clusterLease must be positive, was " + clusterLease);
        }
        long millis = clusterLease.plus(LIFETIME_RENEWAL_SPACING.multipliedBy(2)).toMillis();
        return Duration.ofSeconds(Math.max(1, (millis + 999) / 1000));
    }

    Duration addressLifetime() {
        return Duration.ofSeconds(lifetimeSeconds);
    }

    @Override
    public void acquire(VipConfig vip) throws IOException {
        Arp arp = arpOf(vip);
        Holding holding = new Holding(vip, arp);
        Holding previous = holdings.put(vip.name(), holding);
        if (previous != null) {
            previous.current = false;
        }
        // the fence goes in while the probe waits, in one command through the gate opened at the grant
        CompletableFuture<Void> fenced = fence == null ? CompletableFuture.completedFuture(null)
                : fence.hold(vip.address(), fence.answerUntil(leaseEnds.get(vip.name()), ticker.nanos()));
        long start = ticker.nanos();
        CompletableFuture<AddressProbe.Outcome> prepared = probes.remove(vip.name());
        boolean graceful = gracefulTakeovers.remove(vip.name());
        if (!graceful && probe != null) {
            report(vip, prepared != null ? prepared.join() : probe.awaitFree(arp.iface(), vip.address()));
        }
        long probed = ticker.nanos();
        fenced.join(); // the address answers ARP from its first moment: its first announcement must not be dropped
        CommandRunner.Result added = addressCommands.then(() -> commands.start(addressCommand("replace", vip, arp))).join();
        LOG.info("VIP {}: address added {} ms after the acquisition began ({} ms waiting for its probe)", vip.name(),
                (ticker.nanos() - start) / 1_000_000, (probed - start) / 1_000_000);
        if (!added.ok()) {
            holdings.remove(vip.name(), holding);
            holding.current = false;
            unfence(vip);
            throw new IOException("VIP " + vip.name() + " not added: " + added.describe());
        }
        holding.watchdog = commands.watch(addressCommand("del", vip, arp), watchdogSilence);
        long now = ticker.nanos();
        holding.lastLifetimeRenewal = now;
        holding.lastGarp = now;
        holding.lastFenceRenewal = now;
        if (ownArpSocket && !graceful) {
            // after a crash the clients' caches still name the old owner, whose packets now go nowhere: tell them at
            // once, where starting arping would take its own start first (the repeats below still use it). A graceful
            // predecessor still serves, so its handover keeps the announcements' old pace.
            GratuitousArp.announceNow(vip);
        }
        sendGarps(holding, arp.garpRepeat());
    }

    /**
     * Starts probing for the address as soon as this node is granted the VIP, while its first renewal goes through
     * consensus: the probe changes no one's ARP cache, and the acquisition that follows the renewal waits only for
     * what is left of it. Its answer is at most a lease old when used (a renewal slower than that serves nothing).
     * A graceful takeover does not probe: the predecessor holds the address on purpose. Both open the kernel fence's
     * gate for the address, which changes nothing for it yet.
     */
    @Override
    public void prepare(VipConfig vip) {
        gracefulTakeovers.remove(vip.name()); // a graceful grant that was never acquired says nothing about this one
        if (fence != null) {
            fence.prepare(vip.address());
        }
        if (probe != null) {
            Arp arp = arpOf(vip);
            probes.put(vip.name(), CompletableFuture.supplyAsync(() -> probe.awaitFree(arp.iface(), vip.address()),
                    task -> Thread.ofVirtual().name("vip-probe-" + vip.name()).start(task)));
        }
    }

    /** Says what the probe found; past the bound the takeover proceeds anyway. */
    private void report(VipConfig vip, AddressProbe.Outcome probed) {
        if (probed.error() != null) {
            LOG.warn("VIP {}: not probed before the takeover: {}", vip.name(), probed.error());
        } else if (!probed.free()) {
            String detail = vip.address() + " still answered by another host after " + probed.answered()
                    + " probes; taking it over anyway, the announcements move the clients";
            LOG.warn("VIP {}: {}", vip.name(), detail);
            notices.accept(vip.name(), detail);
        } else if (probed.answered() > 0) {
            LOG.info("VIP {}: {} was answered by another host for {} probes before it let go", vip.name(), vip.address(),
                    probed.answered());
        }
    }

    @Override
    public void takeOverFrom(VipConfig vip, String predecessorHost) {
        Arp arp = arpOf(vip);
        gracefulTakeovers.add(vip.name());
        if (fence != null) {
            fence.prepare(vip.address());
        }
        strays.forward(vip, arp, predecessorHost);
    }

    @Override
    public void leaseUntil(VipConfig vip, long endNanos) {
        leaseEnds.put(vip.name(), endNanos);
    }

    @Override
    public void release(VipConfig vip) throws IOException {
        Arp arp = arpOf(vip);
        leaseEnds.remove(vip.name());
        Holding holding = holdings.remove(vip.name());
        if (holding != null) {
            holding.current = false;
            holding.watchdog.stop();
        }
        CommandRunner.Result deleted = addressCommands.then(() -> commands.start(addressCommand("del", vip, arp))).join();
        if (holding != null) {
            unfence(vip);
        }
        if (!deleted.addressGone()) {
            throw new IOException("VIP " + vip.name() + " not deleted: " + deleted.describe());
        }
    }

    /** Takes {@code vip} out of the kernel fence. */
    private void unfence(VipConfig vip) {
        if (fence != null) {
            fence.release(vip.address());
        }
    }

    /** Renews the address lifetime (re-adding the address if it went missing) and repeats one GARP per garp_refresh. */
    @Override
    public void refresh(VipConfig vip) {
        Holding holding = holdings.get(vip.name());
        if (holding == null) {
            return;
        }
        keep(vip, holding, true);
        long now = ticker.nanos();
        if (now - holding.lastGarp >= holding.arp.garpRefresh().toNanos()) {
            holding.lastGarp = now;
            sendGarps(holding, 1);
        }
    }

    /**
     * Feeds the watchdog and renews the address lifetime, announcing nothing and answering no ARP. Completes once the
     * kernel fence stopped this host's ARP for the address (a gratuitous ARP already under way included); without
     * nftables the kernel answers for it until the address goes, and it completes at once.
     */
    @Override
    public CompletableFuture<Void> keepDuringHandover(VipConfig vip) {
        Holding holding = holdings.get(vip.name());
        return holding == null ? CompletableFuture.completedFuture(null) : keep(vip, holding, false);
    }

    /** @return completes once the fence's re-arm it queued has run, or at once when it queued none */
    private CompletableFuture<Void> keep(VipConfig vip, Holding holding, boolean answerArp) {
        holding.watchdog.feed();
        long now = ticker.nanos();
        if (now - holding.lastLifetimeRenewal >= LIFETIME_RENEWAL_SPACING.toNanos()) {
            holding.lastLifetimeRenewal = now;
            List<String> renew = addressCommand("replace", vip, holding.arp);
            addressCommands.then(() -> holding.current ? commands.start(renew) : CompletableFuture.completedFuture(null))
                    .thenAccept(result -> logFailure(result, "lifetime not renewed"));
        }
        // the fence answers ARP only until this lease's deadline, so skipping a re-arm only closes it sooner; a
        // handover stops ARP at once
        boolean arpChanged = holding.answeringArp != answerArp;
        holding.answeringArp = answerArp; // ends an announcement under way, too
        if (fence == null || (now - holding.lastFenceRenewal < LIFETIME_RENEWAL_SPACING.toNanos() && !arpChanged)) {
            return CompletableFuture.completedFuture(null);
        }
        holding.lastFenceRenewal = now;
        return fence.rearm(vip.address(), answerArp, fence.answerUntil(leaseEnds.get(vip.name()), now),
                () -> holding.current);
    }

    /**
     * Re-announces a held VIP with a full burst of gratuitous ARPs, e.g. after an election or a healed partition.
     * Like the other methods, call it from the cluster's thread.
     */
    @Override
    public void announce(VipConfig vip) {
        Holding holding = holdings.get(vip.name());
        if (holding != null && holding.answeringArp) {
            holding.lastGarp = ticker.nanos();
            sendGarps(holding, holding.arp.garpRepeat());
        }
    }

    /** {@code ip addr replace} adds or updates (and so renews the lifetime); {@code ip addr del} removes. */
    private List<String> addressCommand(String verb, VipConfig vip, Arp arp) {
        String address = vip.address() + "/" + arp.prefix();
        if (verb.equals("del")) {
            return List.of("ip", "addr", "del", address, "dev", arp.iface());
        }
        String lifetime = Long.toString(lifetimeSeconds);
        return List.of("ip", "addr", verb, address, "dev", arp.iface(), "valid_lft", lifetime, "preferred_lft",
                lifetime);
    }

    static void logFailure(CommandRunner.Result result, String what) {
        if (result != null && !result.ok()) {
            LOG.warn("VIP: {}: {}", what, result.describe());
        }
    }

    private void sendGarps(Holding holding, int count) {
        garps.send(holding.vip, count, () -> holding.current && holding.answeringArp, () -> holding.current);
    }

    private static Arp arpOf(VipConfig vip) {
        Objects.requireNonNull(vip, "vip");
        if (vip.arp() == null) {
            throw new IllegalArgumentException("VIP " + vip.name() + " has no arp settings (driver " + vip.driver() + ")");
        }
        return vip.arp();
    }

    /** One acquisition of a VIP; {@code current} turns false for good when it is released or superseded. */
    private static final class Holding {
        final VipConfig vip;
        final Arp arp;
        volatile boolean current = true;
        CommandRunner.Watchdog watchdog;
        // Touched only from the cluster's thread (acquire, refresh, announce).
        long lastLifetimeRenewal;
        long lastGarp;
        long lastFenceRenewal;
        /** False once a handover began: the successor's answers and announcements alone move the clients. */
        volatile boolean answeringArp = true;

        Holding(VipConfig vip, Arp arp) {
            this.vip = vip;
            this.arp = arp;
        }
    }
}
