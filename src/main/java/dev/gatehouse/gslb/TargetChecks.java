package dev.gatehouse.gslb;

import dev.gatehouse.config.EndpointConfig;
import dev.gatehouse.config.GslbConfig;
import dev.gatehouse.config.HealthConfig;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.health.ActiveChecker;
import dev.gatehouse.health.CheckResult;
import dev.gatehouse.health.HealthHysteresis;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.time.Ticker;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Health checks of every target of a zone's dynamic records, each on its own clock: due every {@code interval},
 * judged with rise/fall. {@link #probeDue()} starts the checks that are due, each on {@code runner} (virtual
 * threads in production, the caller in tests, which step the {@link Ticker}).
 *
 * <p>A target starts <em>unknown</em> and is answered as up: before any check no server knows more than a
 * static zone does, and answering nothing (PowerDNS LUA records SERVFAIL while warming up) is worse than answering
 * a target that may be down. Its first result then decides at once, without waiting for rise or fall, so within
 * one interval (plus the timeout) of a start every answer rests on a check.
 */
final class TargetChecks {

    /** Told when a target's judged state changes (first results included). */
    interface Listener {
        void changed(int target, boolean up, String reason);
    }

    /** One target's checker and state. Mutated only under the {@link TargetChecks} lock. */
    private static final class Probe {
        final DynamicRecord record;
        final DynamicRecord.Answer answer;
        final ActiveChecker checker;
        final Endpoint endpoint;
        HealthHysteresis state; // null: no result yet
        long nextDue;
        boolean inFlight;
        String lastReason = "not checked yet";

        Probe(DynamicRecord record, DynamicRecord.Answer answer, ActiveChecker checker, Endpoint endpoint) {
            this.record = record;
            this.answer = answer;
            this.checker = checker;
            this.endpoint = endpoint;
        }
    }

    /** A target's state for status: {@code state} is unknown, up or down. */
    record View(String record, String address, String region, String check, String state, String lastResult) {}

    private final List<Probe> probes = new ArrayList<>();
    private final GslbConfig.Health health;
    private final Ticker ticker;
    private final Executor runner;
    private final Listener listener;
    private final long intervalNanos;

    TargetChecks(ZoneData zone, GslbConfig.Health health, Ticker ticker, Executor runner, Listener listener) {
        this.health = health;
        this.ticker = ticker;
        this.runner = runner;
        this.listener = listener;
        this.intervalNanos = health.interval().toNanos();
        long now = ticker.nanos();
        for (DynamicRecord d : zone.dynamics()) {
            for (DynamicRecord.Answer a : d.targets()) {
                URI check = URI.create(a.config().check());
                Probe p = new Probe(d, a, checker(check, health), endpoint(a.target(), check));
                p.nextDue = now;
                probes.add(p);
            }
        }
    }

    private static ActiveChecker checker(URI check, GslbConfig.Health health) {
        String path = check.getRawPath() == null || check.getRawPath().isEmpty() ? "/" : check.getRawPath();
        if (check.getRawQuery() != null) {
            path += "?" + check.getRawQuery();
        }
        HealthConfig.Type type = check.getScheme().equals("tcp") ? HealthConfig.Type.TCP : HealthConfig.Type.HTTP;
        String host = check.getPort() < 0 ? check.getHost() : check.getHost() + ":" + check.getPort();
        HealthConfig config = new HealthConfig(type, path, 200, 399, host, health.interval(), health.timeout(), health.rise(),
                health.fall());
        return check.getScheme().equals("https") ? ActiveChecker.https(config) : ActiveChecker.of(config, false);
    }

    private static Endpoint endpoint(int target, URI check) {
        int port = check.getPort() >= 0 ? check.getPort() : check.getScheme().equals("https") ? 443 : 80;
        String host = check.getHost();
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        return new Endpoint("gslb", target, new EndpointConfig(new HostPort(host, port), 1, null));
    }

    /** Starts every check that is due and not still running. */
    void probeDue() {
        long now = ticker.nanos();
        List<Probe> due = new ArrayList<>();
        synchronized (this) {
            for (Probe p : probes) {
                if (!p.inFlight && now - p.nextDue >= 0) {
                    p.inFlight = true;
                    p.nextDue = now + intervalNanos;
                    due.add(p);
                }
            }
        }
        for (Probe p : due) {
            runner.execute(() -> record(p, p.checker.check(p.endpoint)));
        }
    }

    private void record(Probe p, CheckResult result) {
        boolean changed;
        boolean up;
        synchronized (this) {
            p.inFlight = false;
            p.lastReason = result.reason();
            HealthHysteresis before = p.state;
            p.state = before == null
                    ? (result.passed() ? HealthHysteresis.healthy(health.rise(), health.fall())
                            : HealthHysteresis.unhealthy(health.rise(), health.fall()))
                    : before.next(result.passed());
            up = p.state.healthy();
            // unknown counted as up: a first failure is a change, a first pass is not
            changed = before == null ? !up : before.healthy() != up;
        }
        if (changed) {
            listener.changed(p.answer.target(), up, result.reason());
        }
    }

    /** This server's verdict on {@code target}: {@link Votes#UNKNOWN} before its first result, else up or down. */
    synchronized int verdict(int target) {
        HealthHysteresis state = probes.get(target).state;
        return state == null ? Votes.UNKNOWN : state.healthy() ? Votes.UP : Votes.DOWN;
    }

    synchronized List<View> views() {
        List<View> out = new ArrayList<>();
        for (Probe p : probes) {
            String state = p.state == null ? "unknown" : p.state.healthy() ? "up" : "down";
            out.add(new View(p.record.name().toString(), p.answer.config().address(), p.answer.config().region(),
                    p.answer.config().check(), state, p.lastReason));
        }
        return out;
    }

    /** The shortest wait before some check may be due: how often {@link #probeDue()} is worth calling. */
    long intervalNanos() {
        return intervalNanos;
    }
}
