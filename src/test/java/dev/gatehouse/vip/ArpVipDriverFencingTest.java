package dev.gatehouse.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.config.ClusterConfig.Arp;
import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.time.ManualTicker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The kernel fence (nftables) and the probe for the address before a takeover, through the commands they run. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ArpVipDriverFencingTest {

    private static final String ADD = "ip addr replace 203.0.113.10/24 dev eth0 valid_lft 1 preferred_lft 1";
    private static final String DEL = "ip addr del 203.0.113.10/24 dev eth0";
    private static final String PROBE = "timeout 0.050 arping -D -q -c 1 -I eth0 203.0.113.10";
    private static final String ARP_HELD = "add element arp gatehouse held { 203.0.113.10 }";
    private static final String ARM_ARP = "add element arp gatehouse answering { 203.0.113.10 timeout 500ms }; "
            + "delete element arp gatehouse answering { 203.0.113.10 }; "
            + "add element arp gatehouse answering { 203.0.113.10 timeout 500ms }";
    private static final String ARM_IP = "add element ip gatehouse serving { 203.0.113.10 timeout 500ms }; "
            + "delete element ip gatehouse serving { 203.0.113.10 }; "
            + "add element ip gatehouse serving { 203.0.113.10 timeout 500ms }";
    /** A re-arm that fails, and changes nothing, once the kernel let the element run out. */
    private static final String REARM_ARP = "delete element arp gatehouse answering { 203.0.113.10 }; "
            + "add element arp gatehouse answering { 203.0.113.10 timeout 500ms }";
    private static final String REARM_IP = "delete element ip gatehouse serving { 203.0.113.10 }; "
            + "add element ip gatehouse serving { 203.0.113.10 timeout 500ms }";
    private static final String STOP_ARP = "add element arp gatehouse answering { 203.0.113.10 timeout 500ms }; "
            + "delete element arp gatehouse answering { 203.0.113.10 }";

    private final VipConfig front = new VipConfig("front", "203.0.113.10", Driver.ARP,
            new Arp("eth0", 24, 3, Duration.ofSeconds(10)), Mode.ACTIVE_PASSIVE, null);
    private final ManualTicker ticker = new ManualTicker();
    private final FakeCommands commands = new FakeCommands();
    private final List<String> notices = new CopyOnWriteArrayList<>();
    private final KernelFence fence = new KernelFence(Duration.ofMillis(500));
    private final ArpVipDriver driver = new ArpVipDriver(commands, Duration.ofSeconds(1), Duration.ofMillis(500),
            Duration.ofMillis(200), ticker, fence, new ArpingProbe(commands, ticker, Duration.ofMillis(500)), false,
            (vip, detail) -> notices.add(vip + ": " + detail));

    /** Exit codes for the probes, in order; then nobody answers (timeout's 124). */
    private void probesExit(Integer... codes) {
        Deque<Integer> queue = new ArrayDeque<>(List.of(codes));
        commands.answer = line -> {
            if (!line.equals(PROBE)) {
                return null;
            }
            ticker.advance(ArpingProbe.PROBE_WAIT); // each probe takes its wait
            Integer code = queue.poll();
            return CompletableFuture.completedFuture(new CommandRunner.Result(List.of(line), code == null ? 124 : code, ""));
        };
    }

    private List<String> nft() {
        return commands.ran.stream().filter(l -> l.startsWith("nft ")).map(l -> l.substring(4)).toList();
    }

    @Test
    void theTablesAreInstalledAndTheAddressFencedAndOpenForOneRenewalBeforeItIsAdded() throws Exception {
        probesExit();
        driver.acquire(front);

        String hold = ARP_HELD + "; add element ip gatehouse held { 203.0.113.10 }; " + ARM_ARP + "; " + ARM_IP;
        assertThat(nft()).singleElement().asString().endsWith("; " + hold);
        assertThat(commands.ran.indexOf(ADD)).isGreaterThan(commands.ran.indexOf(PROBE));
        assertThat(fence.hold("203.0.113.10", false)).containsExactly("nft", hold);
        assertThat(fence.hold("203.0.113.10", true).get(1))
                .contains("arp saddr ip @held arp saddr ip != @answering drop")
                .contains("ip daddr @held ip daddr != @serving drop")
                .contains("ip saddr @held ip saddr != @serving drop")
                .startsWith("add table arp gatehouse; delete table arp gatehouse; add table ip gatehouse; delete table ip gatehouse");
    }

    @Test
    void everyRenewalReArmsTheTimeoutAtMostEvery100msAndAHandoverStopsArpAtOnce() throws Exception {
        probesExit();
        driver.acquire(front);
        int before = nft().size();

        ticker.advance(Duration.ofMillis(200));
        driver.refresh(front);
        driver.refresh(front); // same instant: the timeout was just re-armed
        assertThat(nft().subList(before, nft().size())).containsExactly(REARM_ARP + "; " + REARM_IP);

        driver.keepDuringHandover(front); // same instant, but ARP stops now
        ticker.advance(Duration.ofMillis(20));
        driver.keepDuringHandover(front);
        assertThat(nft().getLast()).isEqualTo(STOP_ARP + "; " + REARM_IP);
        assertThat(nft()).hasSize(before + 2);
    }

    @Test
    void aRenewalAfterAFailedReArmReopensTheFence() throws Exception {
        probesExit();
        driver.acquire(front);
        failNextNft();
        ticker.advance(Duration.ofMillis(200));
        driver.refresh(front); // the kernel let the elements run out: the delete fails, nothing is re-added
        assertThat(nft().getLast()).isEqualTo(REARM_ARP + "; " + REARM_IP);

        ticker.advance(Duration.ofMillis(200));
        driver.refresh(front); // a renewal proved the lease: re-add them
        assertThat(nft().getLast()).isEqualTo(ARM_ARP + "; " + ARM_IP);
        ticker.advance(Duration.ofMillis(200));
        driver.refresh(front);
        assertThat(nft().getLast()).isEqualTo(REARM_ARP + "; " + REARM_IP);
    }

    @Test
    void aHandoverNeverReopensTheFenceButARenewalAnsweringArpAgainDoes() throws Exception {
        probesExit();
        driver.acquire(front);
        driver.keepDuringHandover(front);
        failNextNft();
        ticker.advance(Duration.ofMillis(200));
        driver.keepDuringHandover(front); // fails: the elements ran out
        ticker.advance(Duration.ofMillis(200));
        driver.keepDuringHandover(front); // no proof of the lease: it stays closed
        assertThat(nft().getLast()).isEqualTo(STOP_ARP + "; " + REARM_IP);

        ticker.advance(Duration.ofMillis(200));
        driver.refresh(front); // the handover did not happen and a renewal proved the lease
        assertThat(nft().getLast()).isEqualTo(ARM_ARP + "; " + ARM_IP);
    }

    /** The next nft exits 1, as a delete of an element that ran out does; later ones succeed. */
    private void failNextNft() {
        AtomicBoolean failed = new AtomicBoolean();
        commands.answer = line -> line.startsWith("nft ") && failed.compareAndSet(false, true)
                ? CompletableFuture.completedFuture(new CommandRunner.Result(List.of("nft"), 1, "No such file or directory"))
                : null;
    }

    @Test
    void aHandoverIsQuietOnlyOnceTheFenceStoppedArp() throws Exception {
        probesExit();
        driver.acquire(front);
        CompletableFuture<CommandRunner.Result> nftRuns = new CompletableFuture<>();
        commands.answer = line -> line.startsWith("nft ") ? nftRuns : null;

        CompletableFuture<Void> quiet = driver.keepDuringHandover(front);
        await().until(() -> nft().getLast().startsWith("add element arp gatehouse answering"));
        assertThat(quiet).as("the kernel may still answer ARP for the address").isNotDone();
        nftRuns.complete(new CommandRunner.Result(List.of("nft"), 0, ""));
        assertThat(quiet).succeedsWithin(Duration.ofSeconds(5));
    }

    @Test
    void releasingTheLastVipRemovesTheTables() throws Exception {
        probesExit();
        driver.acquire(front);
        driver.release(front);

        assertThat(commands.withoutAnnouncements()).endsWith(DEL, "nft delete table arp gatehouse; delete table ip gatehouse");
    }

    @Test
    void aTakeoverWaitsUntilTheOldOwnerNoLongerAnswersForTheAddress() throws Exception {
        probesExit(1, 1); // the dead owner's watchdog deletes the address while we probe
        driver.acquire(front);

        assertThat(commands.ran.stream().filter(PROBE::equals)).hasSize(3);
        assertThat(commands.ran.indexOf(ADD)).isGreaterThan(commands.ran.lastIndexOf(PROBE));
        assertThat(notices).isEmpty();
    }

    @Test
    void aProbeStartedAtTheGrantIsTheOneTheAcquisitionWaitsFor() throws Exception {
        probesExit(1); // answered once while the renewal is under way, then free
        driver.prepare(front);
        await().atMost(Duration.ofSeconds(2)).until(() -> commands.count(PROBE) == 2);
        assertThat(commands.ran).doesNotContain(ADD);

        driver.acquire(front);

        assertThat(commands.count(PROBE)).isEqualTo(2);
        assertThat(commands.ran.indexOf(ADD)).isGreaterThan(commands.ran.lastIndexOf(PROBE));
    }

    @Test
    void anAddressStillAnsweredPastTheBoundIsTakenOverWithANotice() throws Exception {
        probesExit(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        driver.acquire(front);

        // 500 ms of 50 ms probes: the tenth is past the bound
        assertThat(commands.ran.stream().filter(PROBE::equals)).hasSize(10);
        assertThat(commands.ran).contains(ADD);
        assertThat(notices).singleElement().asString().startsWith("front: 203.0.113.10 still answered by another host after 10 probes");
    }

    @Test
    void aGracefulPredecessorIsNotProbedForItHoldsTheAddressOnPurpose() throws Exception {
        probesExit(1, 1, 1);
        driver.takeOverFrom(front, "198.51.100.11"); // off the segment: no strays, but still a graceful handover
        driver.acquire(front);
        assertThat(commands.ran).doesNotContain(PROBE);

        driver.release(front);
        driver.acquire(front); // the next takeover is not graceful unless told again
        assertThat(commands.ran).contains(PROBE);
    }
}
