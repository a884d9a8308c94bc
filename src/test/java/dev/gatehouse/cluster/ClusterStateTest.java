package dev.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.cluster.ClusterState.Outcome;
import dev.gatehouse.config.ClusterConfig;
import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.MemberConfig;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.Role;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.config.HostPort;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterStateTest {

    private final Roster roster = Roster.of(new ClusterConfig("c", Path.of("k"), List.of(
            new MemberConfig("lb1", new HostPort("127.0.0.1", 1), 150, Role.NODE),
            new MemberConfig("lb2", new HostPort("127.0.0.1", 3), 100, Role.NODE),
            new MemberConfig("w1", new HostPort("127.0.0.1", 2), 0, Role.WITNESS)),
            List.of(new VipConfig("front", "127.0.0.10", Driver.LOOPBACK, null, Mode.ACTIVE_PASSIVE, null))));
    private final ClusterState initial = ClusterState.initial(roster);

    @Test
    void aGrantNeedsTheNextEpochAndTheVersionTheControllerSaw() {
        var granted = initial.apply(new Command.Grant("front", "lb1", 1, 0, "first"), 7, roster);
        assertThat(granted.outcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(granted.state().vip("front")).isEqualTo(new VipState("lb1", 1, "first", 7, null));
        var renewed = granted.state().apply(new Command.Renew("front", "lb1", 1), 8, roster);
        // a grant decided before that renewal is void
        var stale = renewed.state().apply(new Command.Grant("front", "lb1", 2, 7, "expired"), 9, roster);
        assertThat(stale.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(stale.state()).isEqualTo(renewed.state());
    }

    @Test
    void aWitnessIsNeverGrantedAVip() {
        var applied = initial.apply(new Command.Grant("front", "w1", 1, 0, "first"), 3, roster);
        assertThat(applied.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(applied.state().vip("front").owned()).isFalse();
    }

    @Test
    void onlyTheOwnerOfTheCurrentEpochRenewsOrReleases() {
        ClusterState owned = initial.apply(new Command.Grant("front", "lb1", 1, 0, "first"), 3, roster).state();
        assertThat(owned.apply(new Command.Renew("front", "lb1", 0), 4, roster).outcome()).isEqualTo(Outcome.REJECTED);
        var released = owned.apply(new Command.Release("front", "lb1", 1, "demoted by operator", false, false), 4, roster);
        assertThat(released.state().vip("front")).isEqualTo(new VipState(null, 1, "demoted by operator", 4, null));
    }

    @Test
    void aGracefulPredecessorIsNamedToItsSuccessorButNotOneWhoseLeaseRanOut() {
        ClusterState owned = initial.apply(new Command.Grant("front", "lb1", 1, 0, "first"), 3, roster).state();
        ClusterState handedOver = owned.apply(new Command.Release("front", "lb1", 1, "demoted", false, true), 4, roster).state()
                .apply(new Command.Grant("front", "lb2", 2, 4, "demoted"), 5, roster).state();
        assertThat(handedOver.vip("front")).isEqualTo(new VipState("lb2", 2, "demoted", 5, null, "lb1"));
        assertThat(handedOver.apply(new Command.Renew("front", "lb2", 2), 6, roster).state().vip("front").predecessor())
                .isEqualTo("lb1");
        ClusterState expired = handedOver.apply(new Command.Grant("front", "lb1", 3, 5, "lb2 lease expired"), 7, roster).state();
        assertThat(expired.vip("front")).isEqualTo(new VipState("lb1", 3, "lb2 lease expired", 7, null, null));
    }

    @Test
    void aReleaseBecauseTheOwnerCannotServeAlsoRecordsThatItCannot() {
        ClusterState owned = initial.apply(new Command.Report("lb1", true, 150, 0), 2, roster).state()
                .apply(new Command.Grant("front", "lb1", 1, 0, "first"), 3, roster).state();
        ClusterState demoted = owned.apply(new Command.Release("front", "lb1", 1, "demoted by operator", false, false), 4, roster).state();
        assertThat(demoted.reports().get("lb1")).isEqualTo(new MemberReport(false, 150, 4, 0));
        ClusterState handedOver = owned.apply(new Command.Release("front", "lb1", 1, "preempted", true, false), 4, roster).state();
        assertThat(handedOver.reports().get("lb1")).isEqualTo(new MemberReport(true, 150, 2, 0));
    }

    @Test
    void malformedBytesDecodeToNothingAndChangeNothing() {
        for (String bad : List.of("", "{", "{\"v\":1}", "{\"v\":2,\"command\":{\"type\":\"renew\",\"vip\":\"front\",\"owner\":\"lb1\",\"epoch\":1}}",
                "{\"v\":1,\"command\":{\"type\":\"renew\",\"vip\":\"front\",\"owner\":\"lb1\",\"epoch\":1,\"x\":0}}",
                "{\"v\":1,\"command\":{\"type\":\"grant\",\"vip\":\"front\"}}")) {
            Command c = CommandCodec.decode(bad.getBytes(StandardCharsets.UTF_8));
            assertThat(c).as(bad).isNull();
            var applied = initial.apply(c, 1, roster);
            assertThat(applied.outcome()).isEqualTo(Outcome.MALFORMED);
            assertThat(applied.state()).isEqualTo(initial);
        }
    }

    @Test
    void commandsRoundTrip() {
        Command c = new Command.Grant("front", "lb1", 3, 42, "owner lb2 lease expired");
        assertThat(CommandCodec.decode(CommandCodec.encode(c))).isEqualTo(c);
    }
}
