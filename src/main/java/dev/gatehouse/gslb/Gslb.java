package dev.gatehouse.gslb;

import dev.gatehouse.config.GslbConfig;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.proxy.Transport;
import dev.gatehouse.time.Ticker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Record;

/**
 * The GSLB role: an authoritative DNS server for one zone whose dynamic records follow health checks. Health
 * results flow one way: a target's state changes, a new {@link ZoneSnapshot} is built and published, and the
 * server answers every later query from it; when its serial changed, the secondaries are notified.
 */
public final class Gslb implements AutoCloseable {

    /** Where state changes go (the admin API's event stream). */
    @FunctionalInterface
    public interface EventSink {
        void publish(String type, String subject, String detail);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Gslb.class);
    /** The checks' clocks are looked at this often at most; each target is still checked once per interval. */
    private static final long MAX_TICK_MILLIS = 100;
    /** How long a step serial is held for secondaries that do not fetch it. */
    private static final java.time.Duration STEP_HOLD = java.time.Duration.ofSeconds(10);

    private final GslbConfig config;
    private final ZoneData zone;
    private final TargetChecks checks;
    private final Votes votes;
    private final PeerViews peerViews;
    private final String node;
    private final int targetCount;
    private final EventSink events;
    private final List<InetSocketAddress> secondaries;
    private final Set<InetAddress> transferAllowed;
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("gslb-notify").factory());
    private final ScheduledExecutorService clock;
    /** Runs the checks and peer fetches (blocking sockets) when the caller gave no runner; null otherwise. */
    private final ExecutorService ownRunner;
    /** The caller's runner (tests); null when {@link #ownRunner} runs them. */
    private final Executor manualRunner;
    private final DnsServer server;
    /** What the server answers from now: {@link #target}, or its answers under a step serial (see {@link SerialSteps}). */
    private volatile ZoneSnapshot snapshot;
    /** The answers and serial that the target states call for. Guarded by this. */
    private ZoneSnapshot target;
    /** The secondaries that fetched the serial published now, while it is a step. Guarded by this. */
    private final Set<InetAddress> fetched = new java.util.HashSet<>();
    private final ScheduledExecutorService steps =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("gslb-serial-steps").factory());
    /** Removed at close, so a replacement after a reload registers gauges that read its own state. */
    private final List<Meter> gauges = new ArrayList<>();
    private final MeterRegistry registry;

    private Gslb(GslbConfig config, String node, Transport transport, MeterRegistry registry, EventSink events, Ticker ticker,
            Executor checkRunner, boolean scheduleChecks) throws InterruptedException, BindException {
        this.config = config;
        this.node = node;
        this.events = events;
        this.registry = registry;
        this.zone = ZoneData.of(config);
        int targets = zone.dynamics().stream().mapToInt(d -> d.targets().size()).sum();
        this.targetCount = targets;
        this.target = new ZoneSnapshot(zone, TargetStates.allUp(targets));
        this.snapshot = target;
        this.secondaries = config.secondaries().stream().map(HostPort::socketAddress).toList();
        this.transferAllowed = secondaries.stream().map(InetSocketAddress::getAddress).collect(Collectors.toUnmodifiableSet());
        this.ownRunner = checkRunner == null ? Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("gslb-check-", 0).factory())
                : null;
        this.manualRunner = checkRunner;
        this.checks = new TargetChecks(zone, config.health(), ticker, checkRunner == null ? ownRunner : checkRunner, this::changed);
        GslbConfig.Health h = config.health();
        this.votes = new Votes(targets, checks::verdict, config.peers().size(), ticker,
                h.interval().multipliedBy(Votes.FRESH_INTERVALS).plus(h.timeout()).toNanos());
        Map<String, Integer> index = new HashMap<>();
        for (DynamicRecord d : zone.dynamics()) {
            for (DynamicRecord.Answer a : d.targets()) {
                index.put(PeerViews.key(d.name().toString(), a.config().address()), a.target());
            }
        }
        this.peerViews = new PeerViews(config.peers(), node, index, votes, h.timeout(), this::reachability);
        DnsStats stats = new DnsStats(registry);
        try {
            this.server = DnsServer.start(transport, config.bind().socketAddress(),
                    new Responder(() -> snapshot, transferAllowed::contains, stats, this::transferred));
        } catch (InterruptedException | BindException | RuntimeException e) {
            peerViews.close();
            notifier.shutdownNow();
            steps.shutdownNow();
            if (ownRunner != null) {
                ownRunner.shutdownNow();
            }
            throw e;
        }
        registerGauges(registry);
        if (scheduleChecks) {
            long tick = Math.max(1, Math.min(MAX_TICK_MILLIS, checks.intervalNanos() / 5_000_000L));
            this.clock = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("gslb-checks").factory());
            clock.scheduleAtFixedRate(checks::probeDue, 0, tick, TimeUnit.MILLISECONDS);
            if (peerViews.any()) {
                clock.scheduleAtFixedRate(this::fetchPeers, 0, h.interval().toMillis(), TimeUnit.MILLISECONDS);
            }
        } else {
            this.clock = null;
        }
        LOG.info("gslb: serving {} on {} (UDP and TCP), serial {}", zone.apex(), server.address(), snapshot.serial());
        notifySecondaries(snapshot);
    }

    /**
     * Starts the server, the health checks and the fetches of the peers' verdicts (on virtual threads).
     *
     * @param node this process's node id: a peer that answers with it is this process
     */
    public static Gslb start(GslbConfig config, String node, Transport transport, MeterRegistry registry, EventSink events,
            Ticker ticker) throws InterruptedException, BindException {
        return new Gslb(config, node, transport, registry, events, ticker, null, true);
    }

    /** For tests: checks and peer fetches run only when {@link #probeDue()} and {@link #fetchPeers()} are called, on {@code runner}. */
    static Gslb manual(GslbConfig config, String node, Transport transport, MeterRegistry registry, EventSink events,
            Ticker ticker, Executor runner) throws InterruptedException, BindException {
        return new Gslb(config, node, transport, registry, events, ticker, runner, false);
    }

    void probeDue() {
        checks.probeDue();
    }

    /** Fetches every peer's verdicts; each answer (or failure) is weighed as it comes. */
    void fetchPeers() {
        peerViews.fetchAll(ownRunner != null ? ownRunner : manualRunner, () -> reconsider(-1, null));
    }

    public GslbConfig config() {
        return config;
    }

    /** Where the server listens (UDP and TCP). */
    public InetSocketAddress address() {
        return server.address();
    }

    ZoneSnapshot snapshot() {
        return snapshot;
    }

    /** This server's own check of target {@code index} changed its verdict. */
    private void changed(int index, boolean up, String reason) {
        reconsider(index, (up ? "up" : "down") + ": " + reason);
    }

    /**
     * Answers with what the vantage points say now: publishes a new snapshot when a target's agreed state changed,
     * and tells each change (with {@code ownCheck}, this server's new verdict on target {@code checked}, if any).
     */
    private void reconsider(int checked, String ownCheck) {
        List<Integer> turned = new ArrayList<>();
        ZoneSnapshot before;
        ZoneSnapshot after;
        synchronized (this) {
            TargetStates was = target.states();
            TargetStates next = votes.states();
            before = snapshot;
            if (next.equals(was)) {
                after = before;
            } else {
                for (int t = 0; t < targetCount; t++) {
                    if (was.up(t) != next.up(t)) {
                        turned.add(t);
                    }
                }
                target = new ZoneSnapshot(zone, next);
                after = publish();
            }
        }
        List<TargetChecks.View> views = checks.views();
        String serial = after.serial() != before.serial() ? "; serial " + before.serial() + " -> " + after.serial() : "";
        for (int t : turned) {
            int[] tally = votes.tally(t);
            String detail = !peerViews.any() ? ownCheck + serial // its own checks alone decide: they say why
                    : (after.states().up(t) ? "up" : "down") + ": " + tally[1] + " of " + tally[0] + " vantage points see it down"
                            + (t == checked ? "; this server's check: " + ownCheck : "") + serial;
            tell(views.get(t), detail);
        }
        if (checked >= 0 && !turned.contains(checked)) {
            int[] tally = votes.tally(checked);
            tell(views.get(checked), "this server's check: " + ownCheck + "; answers unchanged ("
                    + (votes.waiting() ? "not every peer asked yet" : tally[1] + " of " + tally[0] + " vantage points see it down") + ")");
        }
    }

    private void tell(TargetChecks.View v, String detail) {
        LOG.info("gslb: target {} of {} is {}", v.address(), v.record(), detail);
        events.publish("gslb", v.record() + " " + v.address(), detail);
    }

    /** A peer stopped or started answering: said once per change. */
    private void reachability(String peer, String problem) {
        String detail = problem == null ? "answers again" : "does not answer: " + problem;
        LOG.info("gslb: peer {} {}", peer, detail);
        events.publish("gslb", "peer " + peer, detail);
    }

    /**
     * Publishes {@link #target}, or when its serial would read as older to the secondaries, its answers under the
     * next step serial, held until every secondary fetched it (or {@link #STEP_HOLD} passed); notifies on a new serial.
     */
    private synchronized ZoneSnapshot publish() {
        ZoneSnapshot before = snapshot;
        long next = secondaries.isEmpty() ? target.serial() : SerialSteps.next(before.serial(), target.serial());
        ZoneSnapshot now = next == target.serial() ? target : target.withSerial(next);
        snapshot = now;
        if (now.serial() != before.serial()) {
            fetched.clear();
            notifySecondaries(now);
            if (now != target) {
                LOG.info("gslb: serial {} reads as older than {} to secondaries; stepping through {}", target.serial(),
                        before.serial(), now.serial());
                steps.schedule(this::publish, STEP_HOLD.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        return now;
    }

    /** A secondary fetched serial {@code serial}: when every one has the step published now, the next can follow. */
    private synchronized void transferred(InetAddress secondary, long serial) {
        if (snapshot != target && serial == snapshot.serial()) {
            fetched.add(secondary);
            if (fetched.containsAll(transferAllowed)) {
                publish();
            }
        }
    }

    private void notifySecondaries(ZoneSnapshot s) {
        if (!secondaries.isEmpty()) {
            notifier.execute(() -> {
                if (snapshot == s) { // a newer serial has its own notification queued
                    InetAddress own = server.address().getAddress();
                    Notifier.notifyAll(secondaries, s.soa(), own.isAnyLocalAddress() ? null : own);
                }
            });
        }
    }

    private void registerGauges(MeterRegistry registry) {
        gauges.add(Gauge.builder("gatehouse_gslb_serial", () -> snapshot.serial()).description("The zone's SOA serial")
                .tags("zone", zone.apex().toString()).register(registry));
        gauges.add(Gauge.builder("gatehouse_gslb_peers_answering", () -> peerViews.peers().stream()
                        .filter(p -> votes.fresh(p.toString())).count())
                .description("Peer GSLB servers whose check verdicts count now (see gslb.peers)").register(registry));
        for (DynamicRecord d : zone.dynamics()) {
            for (DynamicRecord.Answer a : d.targets()) {
                gauges.add(Gauge.builder("gatehouse_gslb_target_up", () -> snapshot.states().up(a.target()) ? 1 : 0)
                        .description("1 when a dynamic record's target passes its checks (or has not been checked yet), else 0")
                        .tags("record", d.name().toString(), "target", a.config().address(), "region",
                                a.config().region() == null ? "" : a.config().region())
                        .strongReference(true).register(registry));
            }
        }
    }

    public GslbStatus status() {
        ZoneSnapshot s = snapshot;
        List<TargetChecks.View> views = checks.views();
        List<GslbStatus.TargetStatus> targets = new ArrayList<>();
        for (DynamicRecord d : zone.dynamics()) {
            List<Record> answering = new ArrayList<>();
            s.candidates(d, true).current(answering);
            s.candidates(d, false).current(answering);
            for (DynamicRecord.Answer a : d.targets()) {
                TargetChecks.View v = views.get(a.target());
                int[] tally = votes.tally(a.target());
                targets.add(new GslbStatus.TargetStatus(v.record(), v.address(), v.region(), v.check(), v.state(), v.lastResult(),
                        tally[0] == 0 ? "unknown" : s.states().up(a.target()) ? "up" : "down", tally[0], tally[1],
                        votes.peerVerdicts(a.target()), answering.contains(a.record())));
            }
        }
        List<GslbStatus.PeerStatus> peers = new ArrayList<>();
        Map<String, String> problems = peerViews.problems();
        peerViews.forEach((address, peerNode) -> peers.add(new GslbStatus.PeerStatus(address, peerNode, votes.fresh(address),
                problems.getOrDefault(address, "not asked yet"))));
        return new GslbStatus(server.address().toString(), zone.apex().toString(), s.serial(), agreement(peers), peers, targets);
    }

    /** How this server weighs its targets now, in words. */
    private static String agreement(List<GslbStatus.PeerStatus> peers) {
        if (peers.isEmpty()) {
            return "own checks only (no peers)";
        }
        long answering = peers.stream().filter(GslbStatus.PeerStatus::counted).count();
        return answering == 0 ? "alone: no peer answers; answering from this server's own checks"
                : "majority of this server and " + answering + " of " + peers.size() + " peers";
    }

    /** This server's own verdicts, for its peers ({@code GET /api/v1/gslb/checks}). */
    public Map<String, Object> ownVerdicts() {
        List<Map<String, String>> out = new ArrayList<>();
        for (TargetChecks.View v : checks.views()) {
            out.add(Map.of("record", v.record(), "address", v.address(), "state", v.state()));
        }
        return Map.of("node", node, "zone", zone.apex().toString(), "targets", out);
    }

    @Override
    public void close() {
        if (clock != null) {
            clock.shutdownNow();
        }
        notifier.shutdownNow();
        steps.shutdownNow();
        if (ownRunner != null) {
            ownRunner.shutdownNow();
        }
        peerViews.close();
        server.close();
        gauges.forEach(registry::remove);
    }
}
