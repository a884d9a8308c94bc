package dev.gatehouse.vip;

import dev.gatehouse.config.ClusterConfig.Arp;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.time.Ticker;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
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
 * pipe closes) or after {@link #watchdogSilenceFor} without a renewal (SIGSTOP, a stall), before the peer may
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
 * table (chain {@value #STRAYS_CHAIN}), TCP to the VIP that is neither a SYN nor part of a connection this host
 * knows is copied to the old owner's cluster address ({@code TEE}) and dropped here, for {@code strayWindow}
 * after the takeover. The old owner still holds the address then, so its kernel takes the packet as its own.
 * This needs iptables and the old owner's cluster address on the VIP's segment; without them a handover still
 * works, and only requests in flight at the switch can fail.
 *
 * <p><b>Threads.</b> The cluster calls from its tick thread. {@link #acquire} waits for the address to be added
 * (the node binds listeners on it next) and {@link #release} for it to be deleted, one short {@code ip} command
 * each; everything else (lifetime renewals, ARP announcements) runs on virtual threads. Address commands run one
 * at a time in call order, so a renewal queued before a release can never re-add the address after it.
 */
public final class ArpVipDriver implements VipDriver {

    private static final Logger LOG = LoggerFactory.getLogger(ArpVipDriver.class);

    /** Gratuitous ARPs of one announcement are this far apart, so one lost frame does not lose the move. */
    static final Duration GARP_SPACING = Duration.ofMillis(100);
    /** Refresh is called on every renewal; re-issuing the lifetime more often than this only costs forks. */
    static final Duration LIFETIME_RENEWAL_SPACING = Duration.ofMillis(100);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(3);
    /** The mangle-table chain that holds the stray-forwarding rules of handovers in progress. */
    static final String STRAYS_CHAIN = "GATEHOUSE-STRAYS";

    private final CommandRunner commands;
    private final Ticker ticker;
    private final long lifetimeSeconds;
    private final Duration watchdogSilence;
    private final Duration strayWindow;
    private boolean straysChainReady;
    private final Map<String, Holding> holdings = new ConcurrentHashMap<>();
    private CompletableFuture<?> addressQueue = CompletableFuture.completedFuture(null);

    ArpVipDriver(CommandRunner commands, Duration addressLifetime, Duration watchdogSilence, Duration strayWindow,
            Ticker ticker) {
        this.commands = Objects.requireNonNull(commands, "commands");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(addressLifetime, "addressLifetime");
        if (addressLifetime.toSeconds() < 1 || addressLifetime.toNanosPart() != 0) {
            throw new IllegalArgumentException(
                    "addressLifetime must be whole seconds, at least 1 (a kernel limit), was " + addressLifetime);
        }
        this.lifetimeSeconds = addressLifetime.toSeconds();
        this.watchdogSilence = Objects.requireNonNull(watchdogSilence, "watchdogSilence");
        this.strayWindow = Objects.requireNonNull(strayWindow, "strayWindow");
    }

    /** A driver for this host whose address lifetime covers {@code clusterLease}. */
    public static ArpVipDriver create(Duration clusterLease, Ticker ticker) {
        return withTools(new ProcessCommandRunner(List.of(), COMMAND_TIMEOUT), clusterLease, ticker);
    }

    /** The same, with every command run inside network namespace {@code netns} (labs and tests). */
    public static ArpVipDriver inNamespace(String netns, Duration clusterLease, Ticker ticker) {
        Objects.requireNonNull(netns, "netns");
        return withTools(new ProcessCommandRunner(List.of("ip", "netns", "exec", netns), COMMAND_TIMEOUT),
                clusterLease, ticker);
    }

    /**
     * Checks once, at start, that {@code ip} and {@code arping} run, so a missing package shows at start rather
     * than at the first failover. It also warms up process spawning: the first child a JVM starts takes ~100 ms
     * longer than the next ones (measured in the lab), which would otherwise delay the first takeover.
     */
    private static ArpVipDriver withTools(CommandRunner commands, Duration clusterLease, Ticker ticker) {
        for (List<String> check : List.of(List.of("ip", "-V"), List.of("arping", "-V"))) {
            CommandRunner.Result result = commands.start(check).join();
            if (!result.ok()) {
                LOG.error("VIP: arp driver cannot run {} (needs iproute2 and iputils-arping): {}", check.getFirst(),
                        result.describe());
            }
        }
        // stray rules a killed process left would outlive their handover: flush them (fails when there are none)
        commands.start(iptables("-F", List.of(STRAYS_CHAIN))).join();
        // strays matter while the old owner still holds the address: at most two leases into a handover
        return new ArpVipDriver(commands, lifetimeFor(clusterLease), watchdogSilenceFor(clusterLease),
                clusterLease.multipliedBy(2), ticker);
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

    /**
     * How long the watchdog waits without a renewal before it deletes the address: lease - 100 ms (500 ms for the
     * default 600 ms lease). Renewals come every lease/3, so a healthy owner feeds it three times as often; and
     * the peer may take over only lease * 1.1 + 50 ms after the last renewal it saw, so the dead or stopped
     * owner's address is gone about 200 ms before anyone else adds it.
     */
    static Duration watchdogSilenceFor(Duration clusterLease) {
        return clusterLease.minusMillis(100);
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
        CommandRunner.Result added = inOrder(() -> commands.start(addressCommand("replace", vip, arp))).join();
        if (!added.ok()) {
            holdings.remove(vip.name(), holding);
            holding.current = false;
            throw new IOException("VIP " + vip.name() + " not added: " + added.describe());
        }
        holding.watchdog = commands.watch(addressCommand("del", vip, arp), watchdogSilence);
        long now = ticker.nanos();
        holding.lastLifetimeRenewal = now;
        holding.lastGarp = now;
        sendGarps(holding, arp.garpRepeat());
    }

    @Override
    public void takeOverFrom(VipConfig vip, String predecessorHost) {
        Arp arp = arpOf(vip);
        if (!onSegment(vip.address(), arp.prefix(), predecessorHost)) {
            LOG.info("VIP {}: {} is not on the VIP's segment; requests in flight there at the switch may fail",
                    vip.name(), predecessorHost);
            return;
        }
        if (!straysChainReady) {
            straysChainReady = prepareStraysChain();
            if (!straysChainReady) {
                return;
            }
        }
        List<List<String>> rules = List.of(strayRule(vip, "TEE", "--gateway", predecessorHost), strayRule(vip, "DROP"));
        for (List<String> rule : rules) {
            logFailure(commands.start(iptables("-A", rule)).join(), "strays not forwarded to " + predecessorHost);
        }
        Thread.ofVirtual().name("vip-strays-" + vip.name()).start(() -> {
            try {
                Thread.sleep(strayWindow);
            } catch (InterruptedException e) {
                return;
            }
            rules.forEach(rule -> commands.start(iptables("-D", rule)).thenAccept(r -> logFailure(r, "stray rule left")));
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

    /** TCP to the VIP that is not a SYN and belongs to no connection of this host. */
    private static List<String> strayRule(VipConfig vip, String... target) {
        List<String> rule = new ArrayList<>(List.of(STRAYS_CHAIN, "-d", vip.address() + "/32", "-p", "tcp", "!", "--syn",
                "-m", "conntrack", "--ctstate", "NEW,INVALID", "-j"));
        rule.addAll(List.of(target));
        return rule;
    }

    /** The chain, empty (rules a killed process left are stale), and PREROUTING jumping to it. */
    private boolean prepareStraysChain() {
        commands.start(iptables("-N", List.of(STRAYS_CHAIN))).join(); // fails when it exists: fine
        CommandRunner.Result flushed = commands.start(iptables("-F", List.of(STRAYS_CHAIN))).join();
        if (!flushed.ok()) {
            LOG.warn("VIP: no iptables ({}); requests in flight at a handover's switch may fail", flushed.describe());
            return false;
        }
        List<String> jump = List.of("PREROUTING", "-j", STRAYS_CHAIN);
        return commands.start(iptables("-C", jump)).join().ok() || commands.start(iptables("-I", jump)).join().ok();
    }

    private static List<String> iptables(String verb, List<String> rest) {
        List<String> command = new ArrayList<>(List.of("iptables", "-w", "-t", "mangle", verb));
        command.addAll(rest);
        return command;
    }

    @Override
    public void release(VipConfig vip) throws IOException {
        Arp arp = arpOf(vip);
        Holding holding = holdings.remove(vip.name());
        if (holding != null) {
            holding.current = false;
            holding.watchdog.stop();
        }
        CommandRunner.Result deleted = inOrder(() -> commands.start(addressCommand("del", vip, arp))).join();
        // EADDRNOTAVAIL: the address is not there (never added, or its lifetime ran out): already released.
        if (!deleted.ok() && !deleted.output().contains("Cannot assign requested address")) {
            throw new IOException("VIP " + vip.name() + " not deleted: " + deleted.describe());
        }
    }

    /** Renews the address lifetime (re-adding the address if it went missing) and repeats one GARP per garp_refresh. */
    @Override
    public void refresh(VipConfig vip) {
        Holding holding = keep(vip);
        long now = ticker.nanos();
        if (holding != null && now - holding.lastGarp >= holding.arp.garpRefresh().toNanos()) {
            holding.lastGarp = now;
            sendGarps(holding, 1);
        }
    }

    /** Feeds the watchdog and renews the address lifetime, announcing nothing. */
    @Override
    public void keepDuringHandover(VipConfig vip) {
        keep(vip);
    }

    private Holding keep(VipConfig vip) {
        Holding holding = holdings.get(vip.name());
        if (holding == null) {
            return null;
        }
        holding.watchdog.feed();
        long now = ticker.nanos();
        if (now - holding.lastLifetimeRenewal >= LIFETIME_RENEWAL_SPACING.toNanos()) {
            holding.lastLifetimeRenewal = now;
            List<String> renew = addressCommand("replace", vip, holding.arp);
            inOrder(() -> holding.current ? commands.start(renew) : CompletableFuture.completedFuture(null))
                    .thenAccept(result -> logFailure(result, "lifetime not renewed"));
        }
        return holding;
    }

    /**
     * Re-announces a held VIP with a full burst of gratuitous ARPs, e.g. after an election or a healed partition.
     * Like the other methods, call it from the cluster's thread.
     */
    @Override
    public void announce(VipConfig vip) {
        Holding holding = holdings.get(vip.name());
        if (holding != null) {
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

    /**
     * Sends {@code count} gratuitous ARPs {@link #GARP_SPACING} apart on a virtual thread, stopping as soon as the
     * VIP is released. arping lingers about a second for replies that never come, so each runs on its own.
     */
    private void sendGarps(Holding holding, int count) {
        List<String> garp = List.of("arping", "-q", "-U", "-c", "1", "-I", holding.arp.iface(),
                holding.vip.address());
        Thread.ofVirtual().name("vip-garp-" + holding.vip.name()).start(() -> {
            for (int i = 0; i < count && holding.current; i++) {
                // Once released, arping refuses to bind the address: expected, not worth a warning.
                commands.start(garp).thenAccept(result -> {
                    if (holding.current) {
                        logFailure(result, "gratuitous ARP not sent");
                    }
                });
                if (i + 1 < count) {
                    try {
                        Thread.sleep(GARP_SPACING);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
    }

    /** Runs address commands strictly one after another, in the order they were asked for. */
    private synchronized CompletableFuture<CommandRunner.Result> inOrder(
            Supplier<CompletableFuture<CommandRunner.Result>> next) {
        CompletableFuture<CommandRunner.Result> queued = addressQueue.handle((r, e) -> null)
                .thenCompose(ignored -> next.get());
        addressQueue = queued;
        return queued;
    }

    private static void logFailure(CommandRunner.Result result, String what) {
        if (result != null && !result.ok()) {
            LOG.warn("VIP: {}: {}", what, result.describe());
        }
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

        Holding(VipConfig vip, Arp arp) {
            this.vip = vip;
            this.arp = arp;
        }
    }
}
