package dev.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.cluster.ClusterState.Outcome;
import dev.gatehouse.config.ClusterConfig;
import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.MemberConfig;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.Preempt;
import dev.gatehouse.config.ClusterConfig.Role;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.time.ManualTicker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The controller's rules on a stepped clock: the replicated state and this member's observations are driven by
 * hand, one 20 ms tick at a time, as the leader's control thread would see them.
 */
@Timeout(10)
class ControllerTest {

    private static final Duration TICK = Duration.ofMillis(20);
    private static final Duration PREEMPT_DELAY = Duration.ofSeconds(5);

    private final VipConfig vip = new VipConfig("front", "127.0.0.10", Driver.LOOPBACK, null, Mode.ACTIVE_PASSIVE,
            new Preempt(true, PREEMPT_DELAY));
    private final Roster roster = Roster.of(new ClusterConfig("c", Path.of("k"), List.of(
            new MemberConfig("lb1", new HostPort("127.0.0.1", 1), 150, Role.NODE),
            new MemberConfig("lb2", new HostPort("127.0.0.1", 2), 100, Role.NODE),
            new MemberConfig("w1", new HostPort("127.0.0.1", 3), 0, Role.WITNESS)), List.of(vip)));
    private final ClusterTimings timings = ClusterTimings.defaults();
    private final ManualTicker clock = new ManualTicker();
    private final Observations seen = new Observations(clock, timings);
    private final Controller controller = new Controller(roster, timings);
    private final List<Command> decided = new ArrayList<>();
    private final long leaderSince = clock.nanos();
    private ClusterState state = ClusterState.initial(roster);
    private long index = 1;
    /** Which nodes are running: a running node reports every report interval and its owner renews every third of a lease. */
    private boolean lb1Up = true;
    private boolean lb2Up = true;
    private long lastReport = Long.MIN_VALUE / 2;
    private long lastRenew = Long.MIN_VALUE / 2;

    @Test
    void aKilledOwnerIsReplacedOnceAndNeverPreemptedBackWhileDead() {
        runFor(PREEMPT_DELAY.plus(Duration.ofSeconds(2))); // lb1 has been able for longer than the preempt delay
        assertThat(state.vip("front").owner()).isEqualTo("lb1");
        decided.clear();

        lb1Up = false; // kill -9: no more reports, no more renewals
        runFor(Duration.ofSeconds(10));

        assertThat(decided).singleElement().satisfies(c -> {
            assertThat(c).isInstanceOf(Command.Grant.class);
            assertThat(((Command.Grant) c).owner()).isEqualTo("lb2");
        });
        assertThat(state.vip("front").owner()).isEqualTo("lb2");
        assertThat(seen.live("lb1", clock.nanos())).isFalse();
        assertThat(seen.live("lb2", clock.nanos())).isTrue();
    }

    @Test
    void aDeadNodeIsShownDownWithinOneReportLifetime() {
        runFor(Duration.ofSeconds(2));
        lb2Up = false;
        long killed = clock.nanos();
        while (seen.live("lb2", clock.nanos())) {
            tick();
        }
        assertThat(clock.nanos() - killed).isLessThanOrEqualTo(timings.reportTtlNanos());
    }

    @Test
    void aStaleNodeIsNotGrantedTheVipWhenTheOwnerDies() {
        runFor(Duration.ofSeconds(2));
        lb2Up = false;
        runFor(Duration.ofSeconds(3)); // lb2's reports lapse
        decided.clear();
        lb1Up = false;
        runFor(Duration.ofSeconds(3));
        assertThat(decided).isEmpty();
        assertThat(state.vip("front").owner()).isEqualTo("lb1"); // nobody to give it to: the record stays
    }

    @Test
    void preemptionNeedsTheWholeDelayOfContinuousEligibility() {
        lb1Up = false;
        runFor(Duration.ofSeconds(4)); // the first grant waits for every node for a while
        assertThat(state.vip("front").owner()).isEqualTo("lb2");
        lb1Up = true; // lb1 returns
        runFor(PREEMPT_DELAY.minus(Duration.ofSeconds(2)));
        lb1Up = false; // and drops out again for longer than its report lives
        runFor(Duration.ofSeconds(3));
        lb1Up = true;
        long back = clock.nanos();
        decided.clear();
        runFor(PREEMPT_DELAY.plus(Duration.ofSeconds(2)));
        Command.Handover handover = decided.stream().filter(Command.Handover.class::isInstance)
                .map(Command.Handover.class::cast).findFirst().orElseThrow();
        assertThat(handover.reason()).startsWith("preempted by lb1");
        assertThat(handoverAt - back).isBetween(PREEMPT_DELAY.toNanos(), PREEMPT_DELAY.plus(timings.lease()).toNanos());
    }

    private long handoverAt;

    private void runFor(Duration d) {
        long until = clock.nanos() + d.toNanos();
        while (clock.nanos() < until) {
            tick();
        }
    }

    /** One control tick: running members report and renew, then the controller decides and its command is applied. */
    private void tick() {
        clock.advance(TICK);
        long now = clock.nanos();
        if (now - lastReport >= timings.reportIntervalNanos()) {
            lastReport = now;
            if (lb1Up) apply(new Command.Report("lb1", true, 150, 0));
            if (lb2Up) apply(new Command.Report("lb2", true, 100, 0));
        }
        VipState v = state.vip("front");
        boolean ownerUp = "lb1".equals(v.owner()) ? lb1Up : "lb2".equals(v.owner()) && lb2Up;
        if (v.owned() && ownerUp) {
            if (v.handover() != null) {
                apply(new Command.Release("front", v.owner(), v.epoch(), v.handover(), true, false));
            } else if (now - lastRenew >= timings.renewIntervalNanos()) {
                lastRenew = now;
                apply(new Command.Renew("front", v.owner(), v.epoch()));
            }
        }
        controller.track(state, seen, now);
        Command c = controller.decide(vip, state, seen, now, leaderSince);
        if (c != null) {
            decided.add(c);
            if (c instanceof Command.Handover) {
                handoverAt = now;
            }
            apply(c);
        }
    }

    private void apply(Command c) {
        ClusterState.Applied applied = state.apply(c, index++, roster);
        state = applied.state();
        seen.applied(c, applied.outcome());
        if (c instanceof Command.Grant && applied.outcome() == Outcome.ACCEPTED) {
            lastRenew = Long.MIN_VALUE / 2;
        }
    }
}
