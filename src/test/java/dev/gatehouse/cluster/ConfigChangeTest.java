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
        return ConfigRules.change(text, after, origin, "test", null);
    }

    @Test
    void aValidChangeBecomesTheNextVersionWithTheHashEveryNodeComputes() {
        var applied = initial.apply(change(SHARED, 0, "lb1"), 5, roster);
        assertThat(applied.outcome()).isEqualTo(Outcome.ACCEPTED);
        ReplicatedConfig config = applied.state().config().current();
        assertThat(config.version()).isEqualTo(1);
        assertThat(config.origin()).isEqualTo("lb1");
        assertThat(config.hash()).isEqualTo(Snapshot.hash(ConfigLoader.parseShared(SHARED, "x").config()));
        // key order and comments do not change the hash
        String reordered = "# a comment\n" + SHARED.substring(SHARED.indexOf("cluster:")) + SHARED.substring(0, SHARED.indexOf("cluster:"));
        assertThat(change(reordered, 1, "lb2").config().hash()).isEqualTo(config.hash());

        String three = SHARED.replace("{ address: \"127.0.0.1:9002\" } ]", "{ address: \"127.0.0.1:9002\" }, { address: \"127.0.0.1:9003\" } ]");
        var next = applied.state().apply(change(three, 1, "lb2"), 6, roster);
        assertThat(next.outcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(next.state().configVersion()).isEqualTo(2);
        assertThat(next.state().config().current().hash()).isNotEqualTo(config.hash());
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
            assertThat(ConfigRules.check(c, v1.config(), roster)).as(bad).isNotEmpty();
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
            assertThat(ConfigRules.check(change(moved, 0, "lb1"), ConfigState.NONE, roster)).as(moved)
                    .anyMatch(e -> e.contains("cluster: must stay as the cluster was started"));
            assertThat(initial.apply(change(moved, 0, "lb1"), 5, roster).outcome()).isEqualTo(Outcome.REJECTED);
        }
        // the secret's path is each machine's own business
        assertThat(ConfigRules.check(change(SHARED.replace("machine.key", "other.key"), 0, "lb1"), ConfigState.NONE, roster)).isEmpty();
    }

    @Test
    void aHashThatDoesNotMatchTheTextOrAStrangerIsRefused() {
        Command.ConfigChange honest = change(SHARED, 0, "lb1");
        var forged = new Command.ConfigChange(new ReplicatedConfig(1, "0".repeat(64), SHARED, "lb1", "test", null));
        assertThat(initial.apply(forged, 5, roster).outcome()).isEqualTo(Outcome.REJECTED);
        var stranger = new Command.ConfigChange(new ReplicatedConfig(1, honest.config().hash(), SHARED, "mallory", "test", null));
        assertThat(initial.apply(stranger, 5, roster).outcome()).isEqualTo(Outcome.REJECTED);
    }

    @Test
    void onlyANodeRunningTheCurrentConfigIsGrantedAVip() {
        ClusterState v1 = initial.apply(change(SHARED, 0, "lb1"), 5, roster).state()
                .apply(new Command.Report("lb1", true, 150, 0), 6, roster).state()
                .apply(new Command.Report("lb2", true, 100, 1), 7, roster).state();
        assertThat(v1.reports().get("lb1").configVersion()).isZero();
        // reported just now, by a leader that has led longer than the first grant waits for every node
        long now = ClusterTimings.defaults().settleNanos();
        Observations seen = new Observations(() -> now, ClusterTimings.defaults());
        seen.applied(new Command.Report("lb1", true, 150, 0), Outcome.ACCEPTED);
        seen.applied(new Command.Report("lb2", true, 100, 1), Outcome.ACCEPTED);
        Controller controller = new Controller(roster, ClusterTimings.defaults());
        assertThat(controller.decide(roster.vips().get("front"), v1, seen, now, now))
                .as("the first grant waits a moment for lb1 to catch up").isNull();
        Command decided = controller.decide(roster.vips().get("front"), v1, seen, now, 0);
        // lb1 has the higher priority but still runs its file (version 0): lb2 gets the VIP
        assertThat(decided).isInstanceOfSatisfying(Command.Grant.class, g -> assertThat(g.owner()).isEqualTo("lb2"));
        ClusterState caughtUp = v1.apply(new Command.Report("lb1", true, 150, 1), 8, roster).state();
        assertThat(controller.decide(roster.vips().get("front"), caughtUp, seen, now, 0))
                .isInstanceOfSatisfying(Command.Grant.class, g -> assertThat(g.owner()).isEqualTo("lb1"));
    }

    @Test
    void aCanaryRunsOnItsNodeAloneUntilItsVerdict() {
        ClusterState v1 = initial.apply(change(SHARED, 0, "lb1"), 5, roster).state();
        String three = SHARED.replace("9002", "9003");
        CanaryPlan plan = new CanaryPlan("lb2", 1000, 0.05);
        var canary = ConfigRules.change(three, 1, "lb1", "test", plan);
        ClusterState trial = v1.apply(canary, 6, roster).state();
        assertThat(trial.configVersion()).isEqualTo(1);
        assertThat(trial.config().runFor("lb2").version()).isEqualTo(2);
        assertThat(trial.config().runFor("lb1").version()).isEqualTo(1);
        // a second canary waits for the first; a verdict must name the canary's version
        assertThat(trial.apply(ConfigRules.change(SHARED, 2, "lb1", "test", plan), 7, roster).outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(trial.apply(new Command.CanaryVerdict(1, true, "x"), 7, roster).outcome()).isEqualTo(Outcome.REJECTED);

        ClusterState promoted = trial.apply(new Command.CanaryVerdict(2, true, "0 of 40 were 5xx"), 7, roster).state();
        assertThat(promoted.configVersion()).isEqualTo(2);
        assertThat(promoted.config().canary()).isNull();
        assertThat(promoted.config().runFor("lb1")).isEqualTo(promoted.config().runFor("lb2"));

        ClusterState rolledBack = trial.apply(new Command.CanaryVerdict(2, false, "9 of 10 were 5xx"), 7, roster).state();
        assertThat(rolledBack.configVersion()).isEqualTo(1);
        assertThat(rolledBack.config().runFor("lb2").version()).isEqualTo(1);
        // the rolled-back version is never handed out again
        assertThat(rolledBack.apply(change(three, 1, "lb1"), 8, roster).outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(rolledBack.apply(change(three, 2, "lb1"), 8, roster).state().configVersion()).isEqualTo(3);
        // a plain change replaces a canary on trial
        assertThat(trial.apply(change(SHARED, 2, "lb1"), 7, roster).state().config().canary()).isNull();
    }

    @Test
    void aCanaryNeedsANodeAConfigToReturnToAndSaneLimits() {
        ClusterState v1 = initial.apply(change(SHARED, 0, "lb1"), 5, roster).state();
        assertThat(ConfigRules.check(ConfigRules.change(SHARED, 0, "lb1", "t", new CanaryPlan("lb2", 1000, 0.01)), ConfigState.NONE, roster))
                .anyMatch(e -> e.contains("no config yet"));
        assertThat(ConfigRules.check(ConfigRules.change(SHARED, 1, "lb1", "t", new CanaryPlan("w1", 1000, 0.01)), v1.config(), roster))
                .anyMatch(e -> e.contains("w1 is not a node"));
        assertThat(ConfigRules.check(ConfigRules.change(SHARED, 1, "lb1", "t", new CanaryPlan("lb2", 0, 2)), v1.config(), roster))
                .hasSize(2);
    }

    @Test
    void theSnapshotCarriesTheConfig() throws Exception {
        ClusterState v1 = initial.apply(change(SHARED, 0, "lb1"), 5, roster).state()
                .apply(ConfigRules.change(SHARED.replace("9002", "9003"), 1, "lb2", "t", new CanaryPlan("lb2", 500, 0.5)), 6, roster).state()
                .apply(new Command.Report("lb1", true, 150, 1), 7, roster).state();
        assertThat(v1.config().canary()).isNotNull();
        var json = com.fasterxml.jackson.databind.json.JsonMapper.builder().build();
        assertThat(json.readValue(json.writeValueAsBytes(v1), ClusterState.class)).isEqualTo(v1);
    }

    @Test
    void configChangesAndReportsRoundTripThroughTheCodec() {
        for (Command c : List.of(change(SHARED, 3, "lb2"), ConfigRules.change(SHARED, 3, "lb2", "t", new CanaryPlan("lb2", 500, 0.5)),
                new Command.CanaryVerdict(4, false, "why"))) {
            assertThat(CommandCodec.decode(CommandCodec.encode(c))).isEqualTo(c);
        }
        Command r = new Command.Report("lb1", true, 150, 4);
        assertThat(CommandCodec.decode(CommandCodec.encode(r))).isEqualTo(r);
    }
}
