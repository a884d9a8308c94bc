package dev.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.cluster.ClusterState.Outcome;
import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.time.ManualTicker;
import dev.gatehouse.vip.VipDriver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class VipKeeperTest {

    private final ManualTicker ticker = new ManualTicker();
    private final ClusterTimings timings = ClusterTimings.defaults();
    private final VipConfig vip = new VipConfig("front", "127.0.0.10", Driver.LOOPBACK, null, Mode.ACTIVE_PASSIVE, null);
    private final VipLog log = new VipLog();
    private final List<Command> proposed = new ArrayList<>();
    private Outcome answer = Outcome.ACCEPTED;
    private final VipKeeper keeper = keeper(false);
    private final VipState granted = new VipState("lb1", 1, "first owner", 5, null);

    private VipKeeper keeper(boolean overlappingDriver) {
        return keeper(log.driverFor("lb1", overlappingDriver), command -> {
            proposed.add(command);
            return CompletableFuture.completedFuture(answer);
        });
    }

    /** lb1's keeper with {@code driver}, proposing through {@code proposer}. */
    private VipKeeper keeper(VipDriver driver, Proposer proposer) {
        return new VipKeeper("lb1", vip, driver, new ClusterListener() {}, proposer, ticker, timings, Runnable::run,
                id -> id + ".example");
    }

    @Test
    void aSelfFencedOwnerStopsAtOnceAndServesAgainOnlyOnARenewalStartedAfterTheFenceLifted() {
        List<CompletableFuture<Outcome>> pending = new ArrayList<>();
        VipKeeper fenced = keeper(log.driverFor("lb1", false), command -> {
            CompletableFuture<Outcome> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        });
        fenced.tick(granted, true, "", false, null);
        pending.removeFirst().complete(Outcome.ACCEPTED);
        assertThat(fenced.holds()).isTrue();

        ticker.advance(timings.tick());
        fenced.tick(granted, true, "", false, "self-fenced");
        assertThat(fenced.holds()).isFalse();
        ticker.advance(Duration.ofNanos(timings.renewIntervalNanos()));
        fenced.tick(granted, true, "", false, "self-fenced"); // keeps renewing: the record stays this node's
        CompletableFuture<Outcome> startedWhileFenced = pending.removeFirst();

        ticker.advance(timings.tick());
        fenced.tick(granted, true, "", false, null); // the fence lifts: a renewal is due at once
        startedWhileFenced.complete(Outcome.ACCEPTED);
        assertThat(fenced.holds()).as("a renewal from before the fence lifted proves nothing").isFalse();
        ticker.advance(timings.tick());
        fenced.tick(granted, true, "", false, null);
        pending.removeFirst().complete(Outcome.ACCEPTED);
        assertThat(fenced.holds()).isTrue();
        assertThat(log.maxHolders("front")).isEqualTo(1);
    }

    @Test
    void aDemotedOwnerWhoseDriverOverlapsServesUntilALeaseAfterItsSuccessorHasRenewedTwice() {
        VipKeeper overlapping = keeper(true);
        overlapping.tick(granted, true, "", false, null);
        overlapping.tick(granted, false, "demoted by operator", true, null);
        assertThat(proposed).last().isEqualTo(new Command.Release("front", "lb1", 1, "demoted by operator", false, true));
        VipState released = new VipState(null, 1, "demoted by operator", 6, null);
        VipState grantedToLb2 = new VipState("lb2", 2, "demoted by operator", 7, null);
        VipState renewedByLb2 = new VipState("lb2", 2, "demoted by operator", 8, null);
        for (VipState state : new VipState[] {granted, released, grantedToLb2, renewedByLb2}) {
            overlapping.tick(state, false, "demoted by operator", true, null);
            assertThat(overlapping.holds()).as("still serving at %s", state).isTrue();
        }
        // lb2 acquires right after its first renewal and renews again only after that: it serves now
        VipState servedByLb2 = new VipState("lb2", 2, "demoted by operator", 10, null);
        overlapping.tick(servedByLb2, false, "demoted by operator", true, null);
        ticker.advance(Duration.ofNanos(timings.leaseNanos() - 1));
        overlapping.tick(servedByLb2, false, "demoted by operator", true, null);
        assertThat(overlapping.holds()).as("strays of connections accepted here still come back").isTrue();
        ticker.advance(Duration.ofNanos(1));
        overlapping.tick(servedByLb2, false, "demoted by operator", true, null);
        assertThat(overlapping.holds()).isFalse();
    }

    @Test
    void aDemotedOwnerProposesItsReleaseOnlyOnceItsDriverStoppedCompetingWithTheSuccessor() {
        CompletableFuture<Void> quiet = new CompletableFuture<>();
        VipKeeper handing = keeper(log.driverFor("lb1", true, quiet), command -> {
            proposed.add(command);
            return CompletableFuture.completedFuture(answer);
        });
        handing.tick(granted, true, "", false, null);
        handing.tick(granted, false, "demoted by operator", true, null);
        ticker.advance(timings.tick());
        handing.tick(granted, false, "demoted by operator", true, null);
        assertThat(proposed).as("no successor may announce while this node still answers for the VIP")
                .noneMatch(Command.Release.class::isInstance);

        quiet.complete(null);
        ticker.advance(timings.tick());
        handing.tick(granted, false, "demoted by operator", true, null);
        assertThat(proposed).last().isEqualTo(new Command.Release("front", "lb1", 1, "demoted by operator", false, true));
        assertThat(handing.holds()).isTrue();
    }

    @Test
    void aRenewalInFlightWhenAHandoverBeginsDoesNotAnnounceAgain() {
        List<CompletableFuture<Outcome>> pending = new ArrayList<>();
        VipKeeper handing = keeper(log.driverFor("lb1", true), command -> {
            proposed.add(command);
            CompletableFuture<Outcome> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        });
        handing.tick(granted, true, "", false, null);
        pending.removeFirst().complete(Outcome.ACCEPTED); // acquires, and renews again while binding
        ticker.advance(Duration.ofNanos(timings.renewIntervalNanos()));
        handing.tick(granted, true, "", false, null);
        int refreshes = log.refreshes("lb1");
        handing.tick(granted, false, "demoted by operator", true, null); // the demote, with renewals in flight

        pending.forEach(renewal -> renewal.complete(Outcome.ACCEPTED));
        assertThat(handing.holds()).isTrue();
        assertThat(log.refreshes("lb1")).as("a refresh would answer ARP beside the successor again").isEqualTo(refreshes);
    }

    @Test
    void aHandoverOutlastsTheLeaseButEndsAfterTwoLeasesWhenNoSuccessorServes() {
        VipKeeper overlapping = keeper(true);
        VipState released = new VipState(null, 1, "demoted by operator", 6, null);
        overlapping.tick(granted, true, "", false, null);
        overlapping.tick(granted, false, "demoted by operator", true, null);
        overlapping.tick(released, false, "demoted by operator", true, null);
        assertThat(overlapping.holds()).isTrue();
        ticker.advance(timings.lease());
        overlapping.tick(released, false, "demoted by operator", true, null);
        assertThat(overlapping.holds()).as("the successor may need longer than what was left of the lease").isTrue();
        ticker.advance(timings.lease());
        overlapping.tick(released, false, "demoted by operator", true, null);
        assertThat(overlapping.holds()).isFalse();
    }

    @Test
    void aNewOwnerRenewsAgainAtTheNextTickAfterAcquiringSoAHandingOverPeerLearnsItServes() {
        keeper.tick(granted, true, "", false, null);
        assertThat(keeper.holds()).isTrue();
        ticker.advance(timings.tick());
        keeper.tick(granted, true, "", false, null);
        assertThat(proposed).containsExactly(new Command.Renew("front", "lb1", 1), new Command.Renew("front", "lb1", 1));
        ticker.advance(timings.tick());
        keeper.tick(granted, true, "", false, null);
        assertThat(proposed).as("then at the renewal interval").hasSize(2);
    }

    @Test
    void withoutAnOverlappingDriverADemotedOwnerReleasesAtOnce() {
        keeper.tick(granted, true, "", false, null);
        keeper.tick(granted, false, "demoted by operator", true, null);
        assertThat(keeper.holds()).isFalse();
    }

    @Test
    void servesOnlyAfterARenewalWentThroughConsensus() {
        answer = Outcome.REJECTED;
        keeper.tick(granted, true, "", false, null);
        assertThat(proposed).containsExactly(new Command.Renew("front", "lb1", 1));
        assertThat(keeper.holds()).isFalse();
        answer = Outcome.ACCEPTED;
        ticker.advance(timings.lease().dividedBy(3));
        keeper.tick(granted, true, "", false, null);
        assertThat(keeper.holds()).isTrue();
    }

    @Test
    void tellsItsDriverWhenTheLeaseEndsBeforeEachAcquisitionAndRefreshOnIt() {
        List<String> calls = new ArrayList<>();
        long t0 = ticker.nanos();
        VipKeeper k = keeper(new RecordingDriver(calls) {
            @Override
            public void leaseUntil(VipConfig v, long endNanos) {
                calls.add("lease ends at " + (endNanos - t0) / 1_000_000);
            }
        }, command -> CompletableFuture.completedFuture(Outcome.ACCEPTED));

        k.tick(granted, true, "", false, null); // renews, acquires, and renews again while binding
        ticker.advance(Duration.ofNanos(timings.renewIntervalNanos()));
        k.tick(granted, true, "", false, null);

        assertThat(calls).containsExactly("lease ends at 600", "lease ends at 600", "acquire", "lease ends at 800",
                "refresh");
    }

    @Test
    void aPausedOwnerFindsItsLeaseGoneOnItsFirstTickAndReleases() {
        keeper.tick(granted, true, "", false, null);
        assertThat(keeper.holds()).isTrue();
        answer = Outcome.REJECTED; // meanwhile the others granted the VIP elsewhere
        ticker.advance(Duration.ofSeconds(5)); // SIGSTOP ... SIGCONT
        keeper.tick(granted, true, "", false, null); // its state is stale too: it still thinks it owns
        assertThat(keeper.holds()).isFalse();
        assertThat(log.holders("front")).isEmpty();
    }

    @Test
    void releasesAGuardIntervalBeforeTheLeaseEndsWhenRenewalsFail() {
        keeper.tick(granted, true, "", false, null);
        answer = Outcome.REJECTED;
        Duration beforeGuard = timings.lease().minus(Duration.ofNanos(timings.guardNanos())).minusMillis(1);
        ticker.advance(beforeGuard);
        keeper.tick(granted, true, "", false, null);
        assertThat(keeper.holds()).isTrue();
        ticker.advance(Duration.ofMillis(1));
        keeper.tick(granted, true, "", false, null);
        assertThat(keeper.holds()).isFalse();
    }

    @Test
    void anOwnerThatCannotServeReleasesFirstThenTellsTheCluster() {
        keeper.tick(granted, true, "", false, null);
        keeper.tick(granted, false, "lb1 cannot serve", false, null);
        assertThat(keeper.holds()).isFalse();
        assertThat(proposed).last().isEqualTo(new Command.Release("front", "lb1", 1, "lb1 cannot serve", false, false));
    }

    @Test
    void eachGrantAfterACrashHasTheDriverPrepareOnceButAGracefulHandoverDoesNot() {
        keeper.tick(granted, true, "", false, null);
        keeper.tick(granted, true, "", false, null);
        assertThat(log.preparations("lb1")).isEqualTo(1);

        keeper.tick(new VipState("lb2", 2, "owner lb1 lease expired", 7, null), true, "", false, null);
        keeper.tick(new VipState("lb1", 3, "owner lb2 process exited", 8, null), true, "", false, null);
        assertThat(log.preparations("lb1")).isEqualTo(2);

        keeper.tick(new VipState("lb1", 4, "preempted by lb1", 9, null, "lb2"), true, "", false, null);
        assertThat(log.preparations("lb1")).isEqualTo(2);
        assertThat(keeper.holds()).isTrue();
    }

    @Test
    void aGrantToAnotherNodeRevokes() {
        keeper.tick(granted, true, "", false, null);
        keeper.tick(new VipState("lb2", 2, "owner lb1 lease expired", 9, null), true, "", false, null);
        assertThat(keeper.holds()).isFalse();
    }

    @Test
    void tellsItsNodeHowLongEachRenewalTookAndWhenALeaseRanOut() {
        List<String> told = new ArrayList<>();
        List<CompletableFuture<Outcome>> renewals = new ArrayList<>();
        List<Long> proposedAt = new ArrayList<>();
        VipKeeper k = new VipKeeper("lb1", vip, log.driverFor("lb1"), new ClusterListener() {
            @Override
            public void leaseRenewal(String v, long nanos, boolean committed) {
                told.add(v + " renewed in " + nanos / 1_000_000 + " ms, committed " + committed);
            }

            @Override
            public void leaseExpired(String v) {
                told.add(v + " expired");
            }
        }, command -> {
            CompletableFuture<Outcome> outcome = new CompletableFuture<>();
            renewals.add(outcome);
            proposedAt.add(ticker.nanos());
            return outcome;
        }, ticker, timings, Runnable::run, id -> id + ".example");
        k.tick(granted, true, "", false, null);
        ticker.advance(Duration.ofMillis(30));
        renewals.getFirst().complete(Outcome.ACCEPTED);
        ticker.advance(Duration.ofNanos(timings.renewIntervalNanos()));
        k.tick(granted, true, "", false, null); // renews again; that one never comes back in time
        ticker.advance(timings.lease());
        k.tick(granted, true, "", false, null);
        long lastMs = (ticker.nanos() - proposedAt.getLast()) / 1_000_000;
        renewals.getLast().completeExceptionally(new java.io.IOException("no majority"));
        assertThat(lastMs).isGreaterThanOrEqualTo(timings.lease().toMillis());
        assertThat(told).containsExactly("front renewed in 30 ms, committed true", "front expired",
                "front renewed in " + lastMs + " ms, committed false");
        assertThat(k.holds()).isFalse();
    }
}
