package dev.gatehouse.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.config.ClusterConfig.Arp;
import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.time.ManualTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ArpVipDriverTest {

    private static final String ADD = "ip addr replace 203.0.113.10/24 dev eth0 valid_lft 1 preferred_lft 1";
    private static final String DEL = "ip addr del 203.0.113.10/24 dev eth0";
    private static final String GARP = "arping -q -U -c 1 -I eth0 203.0.113.10";

    private final VipConfig front = new VipConfig("front", "203.0.113.10", Driver.ARP,
            new Arp("eth0", 24, 3, Duration.ofSeconds(10)), Mode.ACTIVE_PASSIVE, null);
    private final ManualTicker ticker = new ManualTicker();

    private final FakeCommands commands = new FakeCommands();
    private final ArpVipDriver driver = new ArpVipDriver(commands, Duration.ofSeconds(1), Duration.ofMillis(500),
            Duration.ofMillis(200), ticker, null, null, false, (vip, detail) -> { });

    @Test
    void acquireAddsTheAddressWithALifetimeBeforeReturningThenAnnouncesItGarpRepeatTimes() throws Exception {
        driver.acquire(front);

        assertThat(commands.ran.getFirst()).isEqualTo(ADD);
        await().atMost(Duration.ofSeconds(2)).until(() -> commands.count(GARP) == 3);
    }

    @Test
    void aWatchdogGuardsTheAddressFromAcquireToReleaseAndIsFedOnEveryRenewal() throws Exception {
        driver.acquire(front);
        assertThat(commands.watchdogs).containsExactly("start " + DEL + " after 500ms");
        driver.refresh(front);
        driver.refresh(front);
        driver.release(front);

        assertThat(commands.watchdogs).containsExactly("start " + DEL + " after 500ms", "feed", "feed", "stop " + DEL + " after 500ms");
        assertThat(commands.withoutAnnouncements()).endsWith(DEL);
        assertThat(CommandRunner.Watchdog.silenceFor(Duration.ofMillis(600))).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aFailedAddThrowsWithTheCommandAndItsErrorAndLeavesNothingToRefresh() {
        commands.answer = line -> line.startsWith("ip addr replace") ? CompletableFuture.completedFuture(
                new CommandRunner.Result(List.of(line), 2, "RTNETLINK answers: Operation not permitted")) : null;

        assertThatThrownBy(() -> driver.acquire(front)).isInstanceOf(IOException.class)
                .hasMessageContaining(ADD).hasMessageContaining("Operation not permitted");
        ticker.advance(Duration.ofSeconds(30));
        driver.refresh(front);
        assertThat(commands.ran).containsExactly(ADD);
    }

    @Test
    void releaseDeletesAndTreatsAnAddressAlreadyGoneAsReleased() throws Exception {
        commands.answer = line -> line.equals(DEL) ? CompletableFuture.completedFuture(new CommandRunner.Result(
                List.of(line), 2, "RTNETLINK answers: Cannot assign requested address")) : null;

        driver.release(front);

        assertThat(commands.ran).containsExactly(DEL);
    }

    @Test
    void releaseReportsAnyOtherFailure() {
        commands.answer = line -> line.equals(DEL) ? CompletableFuture.completedFuture(
                new CommandRunner.Result(List.of(line), 2, "Cannot find device \"eth0\"")) : null;

        assertThatThrownBy(() -> driver.release(front)).isInstanceOf(IOException.class)
                .hasMessageContaining("Cannot find device");
    }

    @Test
    void refreshRenewsTheLifetimeAtMostEvery100msAndRepeatsOneGarpPerGarpRefresh() throws Exception {
        driver.acquire(front);
        await().atMost(Duration.ofSeconds(2)).until(() -> commands.count(GARP) == 3);

        driver.refresh(front); // same instant as the acquire: nothing to renew yet
        ticker.advance(Duration.ofMillis(200));
        driver.refresh(front);
        driver.refresh(front);
        ticker.advance(Duration.ofMillis(50));
        driver.refresh(front);
        await().atMost(Duration.ofSeconds(2)).until(() -> commands.count(ADD) == 2);

        ticker.advance(Duration.ofSeconds(10));
        driver.refresh(front);
        await().atMost(Duration.ofSeconds(2)).until(() -> commands.count(GARP) == 4);
        assertThat(commands.count(ADD)).isEqualTo(3);
    }

    @Test
    void duringAHandoverTheAddressIsKeptButNeverAnnouncedAgain() throws Exception {
        driver.acquire(front);
        await().atMost(Duration.ofSeconds(2)).until(() -> commands.count(GARP) == 3);

        ticker.advance(Duration.ofSeconds(10)); // a garp_refresh has passed: refresh would announce now
        driver.keepDuringHandover(front);
        await().atMost(Duration.ofSeconds(2)).until(() -> commands.count(ADD) == 2);

        assertThat(commands.watchdogs).endsWith("feed");
        driver.announce(front); // e.g. the predecessor saw a node come back: still nothing to announce
        ticker.advance(Duration.ofSeconds(10));
        driver.keepDuringHandover(front);
        assertThat(commands.count(GARP)).as("the successor's announcement must win").isEqualTo(3);
    }

    @Test
    void aSuccessorForwardsStrayPacketsToItsPredecessorForAWhileBeforeItAddsTheAddress() throws Exception {
        String strays = "-d 203.0.113.10/32 -p tcp ! --syn -m conntrack --ctstate NEW,INVALID -j ";
        String tee = "iptables -w -t mangle -A GATEHOUSE-STRAYS " + strays + "TEE --gateway 203.0.113.11";
        String drop = "iptables -w -t mangle -A GATEHOUSE-STRAYS " + strays + "DROP";

        driver.takeOverFrom(front, "203.0.113.11");
        driver.acquire(front);

        assertThat(commands.ran).containsSubsequence("iptables -w -t mangle -F GATEHOUSE-STRAYS",
                "iptables -w -t mangle -C PREROUTING -j GATEHOUSE-STRAYS", tee, drop, ADD);
        await().atMost(Duration.ofSeconds(2)).until(() -> commands.count(tee.replace(" -A ", " -D ")) == 1
                && commands.count(drop.replace(" -A ", " -D ")) == 1);
    }

    @Test
    void aPredecessorOffTheVipSegmentGetsNoStrays() {
        driver.takeOverFrom(front, "198.51.100.11");

        assertThat(commands.ran).isEmpty();
        assertThat(StrayForwarding.onSegment("203.0.113.10", 24, "203.0.113.200")).isTrue();
        assertThat(StrayForwarding.onSegment("203.0.113.10", 24, "lb1.example")).isFalse();
    }

    @Test
    void aRenewalQueuedBehindASlowCommandNeverReAddsTheAddressAfterRelease() throws Exception {
        driver.acquire(front);
        CompletableFuture<CommandRunner.Result> slow = new CompletableFuture<>();
        commands.answer = line -> line.equals(ADD) ? slow : null;
        ticker.advance(Duration.ofMillis(200));
        driver.refresh(front); // its renewal is now running and stuck
        ticker.advance(Duration.ofMillis(200));
        driver.refresh(front); // queued behind it

        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Thread release = Thread.ofPlatform().start(() -> {
            try {
                driver.release(front);
            } catch (IOException e) {
                failures.add(e);
            }
        });
        // Let the slow renewal finish only once the release is waiting behind both renewals.
        await().atMost(Duration.ofSeconds(2)).until(() -> release.getState() == Thread.State.WAITING);
        slow.complete(new CommandRunner.Result(List.of(ADD), 0, ""));
        release.join();

        assertThat(failures).isEmpty();
        List<String> addressCommands = commands.ran.stream().filter(line -> line.startsWith("ip ")).toList();
        assertThat(addressCommands).containsExactly(ADD, ADD, DEL);
    }

    @Test
    void announceSendsAFullBurstOnlyWhileHeld() throws Exception {
        driver.announce(front);
        assertThat(commands.ran).isEmpty();

        driver.acquire(front);
        driver.announce(front);
        await().atMost(Duration.ofSeconds(2)).until(() -> commands.count(GARP) == 6);
    }

    @Test
    void theLifetimeCoversTheLeaseInWholeSeconds() {
        assertThat(ArpVipDriver.lifetimeFor(Duration.ofMillis(600))).isEqualTo(Duration.ofSeconds(1));
        assertThat(ArpVipDriver.lifetimeFor(Duration.ofMillis(900))).isEqualTo(Duration.ofSeconds(2));
        assertThat(ArpVipDriver.lifetimeFor(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> new ArpVipDriver(commands, Duration.ofMillis(1500), Duration.ofMillis(500), Duration.ofMillis(200), ticker,
                null, null, false, (vip, detail) -> { }))
                .hasMessageContaining("addressLifetime").hasMessageContaining("PT1.5S");
        assertThatThrownBy(() -> ArpVipDriver.lifetimeFor(Duration.ZERO)).hasMessageContaining("clusterLease");
    }
}
