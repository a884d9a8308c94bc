package dev.gatehouse.health;

import dev.gatehouse.balance.Balancer;
import dev.gatehouse.balance.Weighted;
import dev.gatehouse.config.HealthConfig;
import dev.gatehouse.config.OutlierConfig;
import dev.gatehouse.config.PoolConfig;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.EndpointState;
import dev.gatehouse.pool.EndpointStatus;
import dev.gatehouse.pool.OutcomeListener;
import dev.gatehouse.pool.Pool;
import dev.gatehouse.pool.PoolView;
import dev.gatehouse.pool.ZoneRouting;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.tls.UpstreamTls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The health of one pool: runs its active checks, ejects outliers the data plane reports, applies
 * panic, slow start and drains, and publishes a new {@link PoolView} whenever a state or an
 * effective weight changes. {@link #create} builds the {@link Pool} together with its health.
 *
 * <p>All state changes happen under this object's lock on control-plane threads: the scheduler's,
 * the virtual threads that run checks, and admin callers. The data plane only reads published views
 * and reports outcomes to the lock-free {@link OutlierDetector}.
 */
public final class PoolHealth {

    private final Pool pool;
    private final String name;
    private final Function<List<Weighted<Endpoint>>, Balancer<Endpoint>> balancers;
    private final Ticker ticker;
    private final ScheduledExecutorService scheduler;
    private final HealthEvents events;
    private final HealthConfig healthConfig;
    private final ActiveChecker checker;
    private final OutlierConfig outlierConfig;
    private final OutlierDetector outliers;
    private final List<EndpointHealth> trackers;
    private final double panicThreshold;
    private final ZonePreference zones;
    private final long rampNanos;
    /** Negative: a drain never force-closes connections. */
    private final long drainNanos;

    private List<EndpointStatus> lastStanding;
    private boolean rampTickPending;
    private boolean started;
    private volatile boolean stopped;
    /** Whether an endpoint passed an active check since start (here or in an earlier build of the pool). */
    private volatile boolean checkPassed;
    private ExecutorService checkThreads;

    private PoolHealth(
            PoolConfig config,
            Function<List<Weighted<Endpoint>>, Balancer<Endpoint>> balancers,
            Ticker ticker,
            ScheduledExecutorService scheduler,
            HealthEvents events,
            PoolHealth previous,
            String nodeZone) {
        this.name = config.name();
        this.balancers = balancers;
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.events = events;
        this.healthConfig = config.health();
        UpstreamTls tls = config.tls() == null ? null
                : UpstreamTls.build(name, config.tls(), previous == null ? null : previous.pool.tls());
        this.checker = healthConfig == null ? null : ActiveChecker.of(healthConfig, config.proxyProtocol(), tls);
        this.checkPassed = checker == null || (previous != null && previous.checkPassed);
        this.outlierConfig = config.outlier();
        this.panicThreshold = config.panicThreshold();
        this.zones = ZonePreference.of(config, nodeZone);
        this.rampNanos = config.slowStart() == null ? 0 : config.slowStart().toNanos();
        this.drainNanos = config.drainTimeout() == null ? -1 : config.drainTimeout().toNanos();

        List<Endpoint> endpoints = new ArrayList<>(config.endpoints().size());
        List<EndpointHealth> health = new ArrayList<>(config.endpoints().size());
        for (int i = 0; i < config.endpoints().size(); i++) {
            Endpoint endpoint = new Endpoint(name, i, config.endpoints().get(i));
            endpoints.add(endpoint);
            EndpointHealth carried = previous == null ? null : previous.carry(endpoint, this::checksFor);
            health.add(carried != null ? carried : new EndpointHealth(endpoint, checksFor(null)));
        }
        this.trackers = List.copyOf(health);
        this.outliers = outlierConfig == null
                ? null
                : new OutlierDetector(endpoints, outlierConfig.consecutiveFailures(), scheduler, this::onConsecutiveFailures);
        this.lastStanding = settleAll(ticker.nanos(), null, null);
        this.pool = new Pool(config, endpoints, ViewBuilder.compute(lastStanding, panicThreshold, zones, balancers), tls);
        pool.outcomes(outliers == null ? OutcomeListener.IGNORE : outliers);
    }

    /**
     * Builds a pool and its health, with the pool's outcome listener already wired. Endpoints start
     * HEALTHY unless {@code previous} (the same pool before a config reload, may be null) held an
     * endpoint with the same address: then that endpoint keeps its check counters, ejection count,
     * ejection, ramp and drain. Call {@link #start()} on the new one, then {@link #stop()} on the old.
     *
     * @param balancers builds a balancer over a non-empty list of weighted endpoints
     * @param scheduler runs timers and outlier hand-offs; owned by the caller, shared by pools
     * @param nodeZone {@code node.zone} (null: none), which a zone-aware pool prefers
     * @throws IllegalArgumentException naming the value, when the config cannot work
     */
    public static PoolHealth create(
            PoolConfig config,
            Function<List<Weighted<Endpoint>>, Balancer<Endpoint>> balancers,
            Ticker ticker,
            ScheduledExecutorService scheduler,
            HealthEvents events,
            PoolHealth previous,
            String nodeZone) {
        PoolInvariants.check(config);
        return new PoolHealth(
                config,
                Objects.requireNonNull(balancers, "balancers"),
                Objects.requireNonNull(ticker, "ticker"),
                Objects.requireNonNull(scheduler, "scheduler"),
                Objects.requireNonNull(events, "events"),
                previous,
                nodeZone);
    }

    public Pool pool() {
        return pool;
    }

    /** Starts the active checks (first ones at a random point of the first interval) and carried timers. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("pool " + name + ": health already started");
        }
        started = true;
        if (stopped) {
            return;
        }
        if (checker != null) {
            checkThreads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("health-" + name + "-", 0).factory());
            long interval = healthConfig.interval().toNanos();
            for (EndpointHealth tracker : trackers) {
                scheduleCheck(tracker.endpoint(), ThreadLocalRandom.current().nextLong(interval));
            }
        }
        for (EndpointHealth tracker : trackers) {
            tracker.pendingDeadlines(this::wakeAt);
        }
        refresh();
    }

    /** Stops checks and timers and detaches from the pool's outcomes; the last view stays published. */
    public synchronized void stop() {
        stopped = true;
        pool.outcomes(OutcomeListener.IGNORE);
        if (checkThreads != null) {
            checkThreads.shutdownNow();
        }
    }

    /** Takes the endpoint out of every balancer (panic too); after drain_timeout its connections are closed. */
    public synchronized void drain(Endpoint endpoint) {
        EndpointHealth tracker = require(endpoint);
        if (tracker.draining()) {
            return;
        }
        long deadline = tracker.drain(ticker.nanos(), drainNanos);
        if (drainNanos >= 0) {
            wakeAt(deadline);
        }
        settleAndPublish(tracker, "drain requested");
    }

    /** Ends a drain: the endpoint goes where its health says, through slow start when configured. */
    public synchronized void enable(Endpoint endpoint) {
        EndpointHealth tracker = require(endpoint);
        if (!tracker.draining()) {
            return;
        }
        tracker.enable(ticker.nanos(), rampNanos);
        settleAndPublish(tracker, "enabled");
    }

    /**
     * Whether an endpoint passed an active check since the checks started (true without active checks): endpoints
     * start healthy so a restart is no outage, but a node should not draw new traffic on that alone.
     */
    public boolean checkPassed() {
        return checkPassed;
    }

    /** The state in the latest published view. */
    public synchronized EndpointState state(Endpoint endpoint) {
        return require(endpoint).published();
    }

    /** Applies one check result; package-private so tests can feed results without sockets. */
    synchronized void recordCheck(Endpoint endpoint, CheckResult result) {
        EndpointHealth tracker = require(endpoint);
        checkPassed |= result.passed();
        tracker.record(result.passed());
        String reason = result.passed()
                ? "passed " + healthConfig.rise() + " checks in a row, last: " + result.reason()
                : "failed " + healthConfig.fall() + " checks in a row, last: " + result.reason();
        settleAndPublish(tracker, reason);
    }

    /** Re-evaluates every endpoint at the ticker's now; timers call this, tests call it after advancing time. */
    synchronized void refresh() {
        settleAndPublish(null, null);
    }

    OutlierDetector outliers() {
        return outliers;
    }

    /** Runs on the control executor when an endpoint reaches consecutive_failures. */
    private synchronized void onConsecutiveFailures(Endpoint endpoint) {
        EndpointHealth tracker = require(endpoint);
        outliers.reset(endpoint);
        long now = ticker.nanos();
        if (stopped || tracker.ejectedAt(now)) {
            return;
        }
        int out = 0;
        for (EndpointHealth other : trackers) {
            out += other.ejectedAt(now) ? 1 : 0;
        }
        int failures = outlierConfig.consecutiveFailures();
        int max = Ejections.maxEjected(outlierConfig.maxEjected(), trackers.size());
        if (out >= max) {
            EndpointState state = tracker.published();
            events.event(name, endpoint.address(), state, state,
                    failures + " consecutive failures, not ejected: max_ejected allows " + max + " and " + out + " are out");
            return;
        }
        long duration = tracker.eject(now, outlierConfig.baseEjection());
        wakeAt(now + duration);
        settleAndPublish(tracker, failures + " consecutive failures, ejected for " + Duration.ofNanos(duration)
                + " (ejection " + tracker.ejections() + ")");
    }

    private void settleAndPublish(EndpointHealth touched, String reason) {
        if (stopped) {
            return;
        }
        long now = ticker.nanos();
        List<EndpointStatus> standing = settleAll(now, touched, reason);
        if (!standing.equals(lastStanding)) {
            lastStanding = standing;
            ZoneRouting before = pool.view().zones();
            boolean wasPanic = pool.view().panic();
            PoolView next = ViewBuilder.compute(standing, panicThreshold, zones, balancers);
            pool.publish(next);
            if (next.zones().mode() != before.mode()) {
                events.zoneRouting(name, before, next.zones());
            }
            if (next.panic() != wasPanic) {
                events.panic(name, next.panic(), next.healthyCount() + " of " + standing.size() + " endpoints serving (panic below "
                        + Math.round(panicThreshold * 100) + "%)");
            }
        }
        if (!rampTickPending && trackers.stream().anyMatch(EndpointHealth::ramping)) {
            rampTickPending = true;
            scheduler.schedule(this::rampTick, SlowStart.tickNanos(rampNanos), TimeUnit.NANOSECONDS);
        }
    }

    private synchronized void rampTick() {
        rampTickPending = false;
        refresh();
    }

    /** Settles every endpoint at {@code now}, tells events of each state change, and lists the result. */
    private List<EndpointStatus> settleAll(long now, EndpointHealth touched, String reason) {
        List<EndpointStatus> standing = new ArrayList<>(trackers.size());
        for (EndpointHealth tracker : trackers) {
            Endpoint endpoint = tracker.endpoint();
            if (tracker.settle(now, rampNanos) && outliers != null) {
                outliers.reset(endpoint); // failures of requests still in flight while ejected do not count
            }
            if (tracker.drainTimedOut(now)) {
                events.event(name, endpoint.address(), EndpointState.DRAINING, EndpointState.DRAINING,
                        "drain timeout: closing " + endpoint.connections().size() + " connections with "
                                + endpoint.activeRequests().get() + " requests in flight");
                endpoint.connections().close();
            }
            EndpointState from = tracker.published();
            EndpointState to = tracker.state();
            if (from != to) {
                events.event(name, endpoint.address(), from, to, tracker == touched ? reason : timedReason(from, to));
                tracker.published(to);
            }
            standing.add(new EndpointStatus(endpoint, to, tracker.weight(now, rampNanos)));
        }
        return standing;
    }

    private static String timedReason(EndpointState from, EndpointState to) {
        if (from == EndpointState.EJECTED) {
            return "ejection ended";
        }
        if (from == EndpointState.SLOW_START && to == EndpointState.HEALTHY) {
            return "slow start complete";
        }
        return "config reloaded";
    }

    private void scheduleCheck(Endpoint endpoint, long delayNanos) {
        if (!stopped) {
            scheduler.schedule(() -> launchCheck(endpoint), delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void launchCheck(Endpoint endpoint) {
        try {
            checkThreads.execute(() -> runCheck(endpoint));
        } catch (RejectedExecutionException stoppedMeanwhile) {
            // stop() shut the check threads down between the timer and now: nothing left to do.
        }
    }

    /** On a virtual thread: one blocking check, then the next one an interval after this one began. */
    private void runCheck(Endpoint endpoint) {
        long began = ticker.nanos();
        CheckResult result = checker.check(endpoint);
        if (stopped) {
            return;
        }
        recordCheck(endpoint, result);
        long elapsed = ticker.nanos() - began;
        scheduleCheck(endpoint, Math.max(0, healthConfig.interval().toNanos() - elapsed));
    }

    private void wakeAt(long deadline) {
        if (!stopped) {
            scheduler.schedule(this::refresh, Math.max(0, deadline - ticker.nanos()), TimeUnit.NANOSECONDS);
        }
    }

    private EndpointHealth require(Endpoint endpoint) {
        int index = endpoint.index();
        if (index >= 0 && index < trackers.size() && trackers.get(index).endpoint() == endpoint) {
            return trackers.get(index);
        }
        throw new IllegalArgumentException("endpoint " + endpoint + " is not in pool " + name);
    }

    /** The state of this pool's endpoint with the address of {@code next}, moved onto it; null if none. */
    private synchronized EndpointHealth carry(Endpoint next, Function<HealthHysteresis, HealthHysteresis> checks) {
        for (EndpointHealth tracker : trackers) {
            if (tracker.endpoint().address().equals(next.address())) {
                return tracker.carriedTo(next, checks.apply(tracker.checks()));
            }
        }
        return null;
    }

    /** Check counters under this pool's rise/fall: carried from {@code old} when checks stay on, fresh otherwise. */
    private HealthHysteresis checksFor(HealthHysteresis old) {
        if (healthConfig == null) {
            return HealthHysteresis.healthy(1, 1); // no active checks: nothing ever marks it down
        }
        return old == null
                ? HealthHysteresis.healthy(healthConfig.rise(), healthConfig.fall())
                : old.withThresholds(healthConfig.rise(), healthConfig.fall());
    }
}
