package dev.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ClusterConfig;
import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.MemberConfig;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.Role;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.config.HostPort;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaderPlacementTest {

    private final Roster roster = Roster.of(new ClusterConfig("edge", Path.of("key"), List.of(
            new MemberConfig("lb1", new HostPort("127.0.0.1", 7946), 150, Role.NODE),
            new MemberConfig("lb2", new HostPort("127.0.0.1", 7947), 100, Role.NODE),
            new MemberConfig("w1", new HostPort("127.0.0.1", 7948), 0, Role.WITNESS)),
            List.of(new VipConfig("front", "127.0.0.10", Driver.LOOPBACK, null, Mode.ACTIVE_PASSIVE, null))));

    private ClusterState ownedBy(String owner) {
        return new ClusterState(Map.of("front", new VipState(owner, 1, "test", 1, null)), Map.of(), ConfigState.NONE);
    }

    @Test
    void theWitnessKeepsLeadingAndANodeHandsLeadershipToIt() {
        assertThat(LeaderPlacement.target("w1", roster, ownedBy("lb1"), Map.of("lb1", 10L, "lb2", 10L), 150)).isNull();
        assertThat(LeaderPlacement.target("lb2", roster, ownedBy("lb1"), Map.of("lb1", 10L, "w1", 10L), 150)).isEqualTo("w1");
    }

    @Test
    void withTheWitnessSilentANodeThatOwnsNothingKeepsLeading() {
        assertThat(LeaderPlacement.target("lb2", roster, ownedBy("lb1"), Map.of("lb1", 10L, "w1", 5000L), 150)).isNull();
    }

    @Test
    void anOwnerThatLeadsHandsLeadershipToTheWitnessFirst() {
        assertThat(LeaderPlacement.target("lb1", roster, ownedBy("lb1"), Map.of("lb2", 10L, "w1", 10L), 150)).isEqualTo("w1");
    }

    @Test
    void withTheWitnessSilentItGoesToANodeThatOwnsNothing() {
        assertThat(LeaderPlacement.target("lb1", roster, ownedBy("lb1"), Map.of("lb2", 10L, "w1", 5000L), 150)).isEqualTo("lb2");
        assertThat(LeaderPlacement.target("lb1", roster, ownedBy("lb1"), Map.of("lb2", 5000L, "w1", 5000L), 150)).isNull();
    }
}
