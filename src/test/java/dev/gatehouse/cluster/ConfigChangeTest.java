package dev.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.cluster.ClusterState.Outcome;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.Snapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Config changes in the replicated state: validated identically on every member, versioned, in the snapshot. */
class ConfigChangeTest {

    static final String SHARED = """
            listeners:
              - { name: web, bind: "vip:front:8080", routes: [ { pool: web } ] }
            pools:
              web: { endpoints: [ { address: "127.0.0.1:9001" }, { address: "127.0.0.1:9002" } ] }
            cluster:
              name: c
              secret_file: does/not/exist/on/any/machine.key
              members:
                - { id: lb1, address: "127.0.0.1:7946", priority: 150 }
                - { id: lb2, address: "127.0.0.1:7947" }
                - { id: w1, address: "127.0.0.1:7948", role: witness }
              vips:
                - { name: front, address: 127.0.0.10, driver: loopback }
            """;

    private final Roster roster = Roster.of(ConfigLoader.parseShared(SHARED, "test").config().cluster());
    private final ClusterState initial = ClusterState.initial(roster);

    private static Command.ConfigChange change(String text, long after, String origin) {
        return ConfigRules.change(text, after, origin, "test");
    }

    @Test
    void aValidChangeBecomesTheNextVersionWithTheHashEveryNodeComputes() {
        var applied = initial.apply(change(SHARED, 0, "lb1"), 5, roster);
        assertThat(applied.outcome()).isEqualTo(Outcome.ACCEPTED);
        ReplicatedConfig config = applied.state().config();
        assertThat(config.version()).isEqualTo(1);
        assertThat(config.origin()).isEqualTo("lb1");
        assertThat(config.hash()).isEqualTo(Snapshot.hash(ConfigLoader.parseShared(SHARED, "x").config()));
        // key order and comments do not change the hash
        String reordered = "# a comment\n" + SHARED.substring(SHARED.indexOf("cluster:")) + SHARED.substring(0, SHARED.indexOf("cluster:"));
        assertThat(change(reordered, 1, "lb2").hash()).isEqualTo(config.hash());

        String three = SHARED.replace("{ address: \"127.0.0.1:9002\" } ]", "{ address: \"127.0.0.1:9002\" }, { address: \"127.0.0.1:9003\" } ]");
        var next = applied.state().apply(change(three, 1, "lb2"), 6, roster);
        assertThat(next.outcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(next.state().configVersion()).isEqualTo(2);
        assertThat(next.state().config().hash()).isNotEqualTo(config.hash());
    }

    @Test
    void aStaleOrSkippedVersionIsRefused() {
        ClusterState v1 = initial.apply(change(SHARED, 0, "lb1"), 5, roster).state();
        // two members both offered version 1: the second is refused and the first stays
        var second = v1.apply(change(SHARED.replace("9002", "9004"), 0, "lb2"), 6, roster);
        assertThat(second.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(second.state()).isEqualTo(v1);
        assertThat(v1.apply(change(SHARED, 2, "lb1"), 7, roster).outcome()).isEqualTo(Outcome.REJECTED);
    }

    @Test
    void anInvalidConfigIsRefusedAndChangesNothing() {
        ClusterState v1 = initial.apply(change(SHARED, 0, "lb1"), 5, roster).state();
        for (String bad : List.of(
                SHARED.replace("{ pool: web }", "{ pool: nowhere }"),
                SHARED.replace("web: {", "web: { balance: fastest,"),
                "listeners: [ {",
                SHARED.replace("listeners:", "node: { id: lb1 }\nlisteners:"))) {
            Command.ConfigChange c = change(bad, 1, "lb1");
            assertThat(ConfigRules.check(c, 1, roster)).as(bad).isNotEmpty();
            var applied = v1.apply(c, 6, roster);
            assertThat(applied.outcome()).as(bad).isEqualTo(Outcome.REJECTED);
            assertThat(applied.state()).isSameAs(v1);
        }
    }

    @Test
    void theClusterSectionMustStayAsStarted() {
        for (String moved : List.of(
                SHARED.replace("name: c", "name: d"),
                SHARED.replace("priority: 150", "priority: 10"),
                SHARED.replace("127.0.0.10", "127.0.0.11"),
                SHARED.substring(0, SHARED.indexOf("cluster:")).replace("vip:front:8080", "127.0.0.1:8080"))) {
            assertThat(ConfigRules.check(change(moved, 0, "lb1"), 0, roster)).as(moved)
                    .anyMatch(e -> e.contains("cluster: must stay as the cluster was started"));
            assertThat(initial.apply(change(moved, 0, "lb1"), 5, roster).outcome()).isEqualTo(Outcome.REJECTED);
        }
        // the secret's path is each machine's own business
        assertThat(ConfigRules.check(change(SHARED.replace("machine.key", "other.key"), 0, "lb1"), 0, roster)).isEmpty();
    }

    @Test
    void aHashThatDoesNotMatchTheTextOrAStrangerIsRefused() {
        Command.ConfigChange honest = change(SHARED, 0, "lb1");
        var forged = new Command.ConfigChange(1, "0".repeat(64), SHARED, "lb1", "test");
        assertThat(initial.apply(forged, 5, roster).outcome()).isEqualTo(Outcome.REJECTED);
        var stranger = new Command.ConfigChange(1, honest.hash(), SHARED, "mallory", "test");
        assertThat(initial.apply(stranger, 5, roster).outcome()).isEqualTo(Outcome.REJECTED);
    }

    @Test
    void onlyANodeRunningTheCurrentConfigIsGrantedAVip() {
        ClusterState v1 = initial.apply(change(SHARED, 0, "lb1"), 5, roster).state()
                .apply(new Command.Report("lb1", true, 150, 0), 6, roster).state()
                .apply(new Command.Report("lb2", true, 100, 1), 7, roster).state();
        assertThat(v1.reports().get("lb1").configVersion()).isZero();
        Observations seen = new Observations(() -> 0L);
        seen.applied(new Command.Report("lb1", true, 150, 0), Outcome.ACCEPTED);
        seen.applied(new Command.Report("lb2", true, 100, 1), Outcome.ACCEPTED);
        Controller controller = new Controller(roster, ClusterTimings.defaults());
        Command decided = controller.decide(roster.vips().get("front"), v1, seen, 0, 0);
        // lb1 has the higher priority but still runs its file (version 0): lb2 gets the VIP
        assertThat(decided).isInstanceOfSatisfying(Command.Grant.class, g -> assertThat(g.owner()).isEqualTo("lb2"));
        ClusterState caughtUp = v1.apply(new Command.Report("lb1", true, 150, 1), 8, roster).state();
        assertThat(controller.decide(roster.vips().get("front"), caughtUp, seen, 0, 0))
                .isInstanceOfSatisfying(Command.Grant.class, g -> assertThat(g.owner()).isEqualTo("lb1"));
    }

    @Test
    void theSnapshotCarriesTheConfig() throws Exception {
        ClusterState v1 = initial.apply(change(SHARED, 0, "lb1"), 5, roster).state()
                .apply(new Command.Report("lb1", true, 150, 1), 6, roster).state();
        var json = com.fasterxml.jackson.databind.json.JsonMapper.builder().build();
        assertThat(json.readValue(json.writeValueAsBytes(v1), ClusterState.class)).isEqualTo(v1);
    }

    @Test
    void configChangesAndReportsRoundTripThroughTheCodec() {
        Command c = change(SHARED, 3, "lb2");
        assertThat(CommandCodec.decode(CommandCodec.encode(c))).isEqualTo(c);
        Command r = new Command.Report("lb1", true, 150, 4);
        assertThat(CommandCodec.decode(CommandCodec.encode(r))).isEqualTo(r);
    }
}
