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
    private static final Duration LEASE = Duration.ofMillis(600);
    private static final String ARP_HELD = "add element arp gatehouse held { 203.0.113.10 }";
    private static final String ARM_IP = "add element ip gatehouse serving { 203.0.113.10 timeout 500ms }; "
            + "delete element ip gatehouse serving { 203.0.113.10 }; "
            + "add element ip gatehouse serving { 203.0.113.10 timeout 500ms }";

    /** Generation {@code gate} of the address's gate, open for 300 ms. */
    private static String openGate(long gate) {
        return "add element arp gatehouse gate { 203.0.113.10 . " + gate + " timeout 300ms }";
    }

    /**
     * Through gate {@code through} (failing, and changing nothing, once it ran out): ARP answered for {@code millis}
     * (0: left as it is).
     */
    private static String answer(long through, long next, long millis) {
        String arm = "add element arp gatehouse answering { 203.0.113.10 timeout " + millis + "ms }";
        String arp = millis == 0 ? "" : arm + "; delete element arp gatehouse answering { 203.0.113.10 }; " + arm + "; ";
        return "delete element arp gatehouse gate { 203.0.113.10 . " + through + " }; " + openGate(next) + "; "
                + ARP_HELD + "; add element ip gatehouse held { 203.0.113.10 }; " + arp + ARM_IP;
    }

    /** ARP stops and gate {@code gate} closes; IP is re-armed only if it has not run out. */
    private static String quiet(long gate) {
        return "add element arp gatehouse answering { 203.0.113.10 }; "
                + "delete element arp gatehouse answering { 203.0.113.10 }; "
                + "add element arp gatehouse gate { 203.0.113.10 . " + gate + " }; "
                + "delete element arp gatehouse gate { 203.0.113.10 . " + gate + " }; "
                + "delete element ip gatehouse serving { 203.0.113.10 }; "
                + "add element ip gatehouse serving { 203.0.113.10 timeout 500ms }";
    }

    private final VipConfig front = new VipConfig("front", "203.0.113.10", Driver.ARP,
            new Arp("eth0", 24, 3, Duration.ofSeconds(10)), Mode.ACTIVE_PASSIVE, null);
    private final ManualTicker ticker = new ManualTicker();
    private final FakeCommands commands = new FakeCommands();
    private final List<String> notices = new CopyOnWriteArrayList<>();
    private final KernelFence fence = KernelFence.forLease(LEASE);
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

    /** A renewal that began now and committed at once, as the cluster tells the driver of it. */
    private void renew() throws Exception {
        driver.leaseUntil(front, ticker.nanos() + LEASE.toNanos());
        driver.refresh(front);
    }

    private void acquire() throws Exception {
        probesExit(); // free at the first probe, 50 ms
        driver.leaseUntil(front, ticker.nanos() + LEASE.toNanos());
        driver.acquire(front);
    }

    @Test
    void theAddressIsFencedAndAnswersArpBeforeItIsAddedUntilJustBeforeItsLeaseCouldGoElsewhere() throws Exception {
        acquire();

        // a gate ending 300 ms from now at the latest: ARP through it until the lease's end (the controller waits a
        // tenth of a lease and 50 ms more), less the gate and the 20 ms margin: 600 - 300 - 20
        assertThat(nft()).containsExactly(openGate(1), answer(1, 2, 280));
        assertThat(commands.ran.indexOf(ADD)).isGreaterThan(commands.ran.indexOf("nft " + answer(1, 2, 280)))
                .isGreaterThan(commands.ran.indexOf(PROBE));
        assertThat(fence.install().get(1))
                .contains("arp saddr ip @held arp saddr ip != @answering drop")
                .contains("set gate { type ipv4_addr . mark; flags timeout; }")
                .contains("ip daddr @held ip daddr != @serving drop")
                .contains("ip saddr @held ip saddr != @serving drop")
                .startsWith("add table arp gatehouse; delete table arp gatehouse; add table ip gatehouse; delete table ip gatehouse");
    }

    @Test
    void aRenewalAnswersArpOnlyForWhatIsLeftOfItsLeaseAfterTheGateItGoesThroughEndsAtMostEvery100ms() throws Exception {
        acquire(); // the gate ends 300 ms after the acquisition began, at the latest
        int before = nft().size();

        ticker.advance(Duration.ofMillis(150));
        renew();
        renew(); // same instant: just re-armed
        // at 200 ms: the lease ends at 800, the gate by 300: 800 - 300 - 20
        assertThat(nft().subList(before, nft().size())).containsExactly(answer(2, 3, 480));

        // the next command is slow: its gate counts from when it was seen to end, 250 ms after it started
        commands.answer = line -> {
            if (line.startsWith("nft ")) {
                ticker.advance(Duration.ofMillis(250));
            }
            return null;
        };
        ticker.advance(Duration.ofMillis(200));
        renew(); // at 400: 1000 - 500 - 20; seen to end at 650, its gate ends by 950
        commands.answer = line -> null;
        ticker.advance(Duration.ofMillis(100));
        renew(); // at 750: 1350 - 950 - 20 (a gate counted from 400 would have left 630)
        assertThat(nft().subList(before + 1, nft().size())).containsExactly(answer(3, 4, 480), answer(4, 5, 380));
    }

    @Test
    void aGateThatRanOutIsOpenedAgainByARenewalAndALeaseTooNearItsEndFencesWithoutAnsweringArp() throws Exception {
        acquire();
        ticker.advance(Duration.ofMillis(400)); // the gate ended at 300
        renew(); // 450 + 600 - (450 + 300) - 20
        assertThat(nft().subList(nft().size() - 2, nft().size())).containsExactly(openGate(3), answer(3, 4, 280));

        failNextNft(); // the kernel's gate ran out before the bound said (it cannot, but a command can fail)
        ticker.advance(Duration.ofMillis(200));
        renew();
        assertThat(nft().subList(nft().size() - 3, nft().size())).containsExactly(answer(4, 5, 480), openGate(6),
                answer(6, 7, 280));

        ticker.advance(Duration.ofMillis(600)); // the gate ran out again
        driver.leaseUntil(front, ticker.nanos() + Duration.ofMillis(250).toNanos()); // a renewal that took 350 ms
        driver.refresh(front); // its new gate ends later than ARP may be answered: 250 - 300 - 20 < 20 ms
        assertThat(nft().subList(nft().size() - 2, nft().size())).containsExactly(openGate(8), answer(8, 9, 0));
    }

    @Test
    void aHandoverStopsArpAtOnceAndARenewalAnsweringArpAgainOpensTheGateFirst() throws Exception {
        acquire();
        driver.keepDuringHandover(front);
        assertThat(nft().getLast()).isEqualTo(quiet(2));
        ticker.advance(Duration.ofMillis(20));
        driver.keepDuringHandover(front); // within 100 ms of the last: nothing
        assertThat(nft().getLast()).isEqualTo(quiet(2));

        ticker.advance(Duration.ofMillis(200));
        renew(); // the handover did not happen and a renewal proved the lease
        assertThat(nft().subList(nft().size() - 2, nft().size())).containsExactly(openGate(3), answer(3, 4, 280));
    }

    @Test
    void withoutALeaseARenewalAnswersArpForOneWatchdogSilence() throws Exception {
        probesExit();
        driver.acquire(front); // an active-active VIP: no lease
        // until now + 500, the gate by 300
        assertThat(nft().getLast()).isEqualTo(answer(1, 2, 180));
        ticker.advance(Duration.ofMillis(100));
        driver.refresh(front); // at 150 (the probe took 50): 150 + 500 - 300 - 20
        assertThat(nft().getLast()).isEqualTo(answer(2, 3, 330));
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
    void aReleaseLeavesNoElementOfTheAddressButGatesRunningOut() throws Exception {
        probesExit();
        driver.acquire(front);
        driver.release(front);

        assertThat(commands.withoutAnnouncements()).endsWith(DEL, "nft add element arp gatehouse held { 203.0.113.10 }; "
                + "delete element arp gatehouse held { 203.0.113.10 }; add element ip gatehouse held { 203.0.113.10 }; "
                + "delete element ip gatehouse held { 203.0.113.10 }; add element arp gatehouse answering { 203.0.113.10 }; "
                + "delete element arp gatehouse answering { 203.0.113.10 }; add element arp gatehouse gate { 203.0.113.10 . 2 }; "
                + "delete element arp gatehouse gate { 203.0.113.10 . 2 }; add element ip gatehouse serving { 203.0.113.10 }; "
                + "delete element ip gatehouse serving { 203.0.113.10 }");
    }

    @Test
    void aGrantOpensAGateSoThatItsAcquisitionTakesOneCommand() throws Exception {
        long grant = ticker.nanos();
        driver.takeOverFrom(front, "198.51.100.11"); // graceful: no probe
        assertThat(nft()).containsExactly(openGate(1));

        ticker.advance(Duration.ofMillis(30)); // the first renewal, begun at the grant, committed
        driver.leaseUntil(front, grant + LEASE.toNanos());
        driver.acquire(front);
        assertThat(nft()).containsExactly(openGate(1), answer(1, 2, 280)); // 600 - 300 - 20
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
