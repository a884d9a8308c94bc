package dev.gatehouse.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.bgp.BackOff;
import dev.gatehouse.bgp.BgpSpeaker;
import dev.gatehouse.config.ClusterConfig;
import dev.gatehouse.config.ClusterConfig.Bgp;
import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.time.Ticker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bgp driver's part of holding a VIP: the address on lo under the watchdog, and the route announced through the
 * speaker (whose wire side the interop tests cover), both undone by release.
 */
class BgpVipDriverTest {

    private static final VipConfig VIP = new VipConfig("front", "198.51.100.10", Driver.BGP, null, Mode.ACTIVE_PASSIVE,
            new ClusterConfig.Preempt(true, Duration.ZERO), new Bgp(List.of("65001:100")));

    private final FakeCommands commands = new FakeCommands();
    private final List<String> events = new ArrayList<>();
    private BgpSpeaker speaker;
    private BgpVipDriver driver;

    @BeforeEach
    void setUp() {
        speaker = BgpSpeaker.start(List.of(), BackOff.DEFAULT, Ticker.system(), new SimpleMeterRegistry());
        driver = new BgpVipDriver(speaker, commands, Duration.ofMillis(500), Duration.ZERO, List.of(), (vip, what) -> events.add(vip + ": " + what));
    }

    @AfterEach
    void tearDown() {
        speaker.close();
    }

    @Test
    void acquireAddsTheAddressToLoUnderTheWatchdogThenAnnounces() throws Exception {
        driver.acquire(VIP);
        assertThat(commands.ran).containsExactly("ip addr replace 198.51.100.10/32 dev lo");
        assertThat(commands.watchdogs).containsExactly("start ip addr del 198.51.100.10/32 dev lo after 500ms");
        assertThat(speaker.announces(InetAddress.getByName("198.51.100.10"))).isTrue();
        assertThat(events).containsExactly("front: announced 198.51.100.10/32 [65001:100] over BGP (lease held)");

        driver.refresh(VIP);
        assertThat(commands.watchdogs).contains("feed");

        driver.release(VIP);
        assertThat(speaker.announces(InetAddress.getByName("198.51.100.10"))).isFalse();
        assertThat(commands.ran).endsWith("ip addr del 198.51.100.10/32 dev lo");
        assertThat(commands.watchdogs).endsWith("stop ip addr del 198.51.100.10/32 dev lo after 500ms");
        assertThat(events).endsWith("front: withdrew 198.51.100.10/32 [65001:100] (released)");
    }

    @Test
    void anAddressThatCannotBeAddedIsNotAnnounced() throws Exception {
        commands.answer = line -> CompletableFuture.completedFuture(
                new CommandRunner.Result(List.of(line), 2, "RTNETLINK answers: Operation not permitted"));
        assertThatThrownBy(() -> driver.acquire(VIP)).hasMessageContaining("not added to lo");
        assertThat(speaker.announces(InetAddress.getByName("198.51.100.10"))).isFalse();
    }

    @Test
    void releaseIsIdempotent() throws Exception {
        commands.answer = line -> CompletableFuture.completedFuture(
                new CommandRunner.Result(List.of(line), 2, "RTNETLINK answers: Cannot assign requested address"));
        driver.release(VIP);
        driver.release(VIP);
        assertThat(events).isEmpty();
    }

    @Test
    void aHandoverKeepsAnnouncingOnceWithGracefulShutdown() throws Exception {
        driver.acquire(VIP);
        driver.keepDuringHandover(VIP);
        driver.keepDuringHandover(VIP);
        assertThat(events).filteredOn(e -> e.contains("GRACEFUL_SHUTDOWN")).hasSize(1);
        assertThat(speaker.announces(InetAddress.getByName("198.51.100.10"))).isTrue();
        assertThat(driver.overlapsOnHandover(VIP)).isTrue();
    }

    @Test
    void anActiveActiveVipForwardsMovedFlowsBeforeItsAddressAndKeepsTheAddressAfterWithdrawing() throws Exception {
        VipConfig active = new VipConfig("front", "198.51.100.10", Driver.BGP, null, Mode.ACTIVE_ACTIVE,
                new ClusterConfig.Preempt(false, Duration.ZERO), new Bgp(List.of()));
        BgpVipDriver spreading = new BgpVipDriver(speaker, commands, Duration.ofMillis(500), Duration.ofSeconds(5),
                List.of("203.0.113.12", "203.0.113.14"), (vip, what) -> events.add(vip + ": " + what));
        spreading.acquire(active);
        String stray = "-d 198.51.100.10/32 -p tcp ! --syn -m conntrack --ctstate NEW,INVALID";
        String chain = "iptables -w -t mangle -A GATEHOUSE-SPREAD " + stray;
        assertThat(commands.ran).filteredOn(c -> c.contains(" -A GATEHOUSE-SPREAD ") || c.startsWith("ip addr"))
                .containsExactly(
                        chain + " -m dscp --dscp 5 -j DROP", // a copy a peer forwarded and nobody here holds
                        chain + " -j DSCP --set-dscp 5",
                        chain + " -j TEE --gateway 203.0.113.12",
                        chain + " -j TEE --gateway 203.0.113.14",
                        chain + " -j DROP",
                        "ip addr replace 198.51.100.10/32 dev lo"); // only then may this host take packets for it
        assertThat(commands.ran).contains("iptables -w -t mangle -C PREROUTING -j GATEHOUSE-SPREAD");
        // its watchdog acts when the process dies, not after a stall as short as a lease
        assertThat(commands.watchdogs).containsExactly("start ip addr del 198.51.100.10/32 dev lo after 30000ms");
        assertThat(spreading.leaveNotice(active)).isEqualTo(Duration.ofSeconds(5));

        spreading.withdraw(active);
        assertThat(speaker.announces(InetAddress.getByName("198.51.100.10"))).isFalse();
        assertThat(commands.ran).doesNotContain("ip addr del 198.51.100.10/32 dev lo");

        spreading.release(active);
        List<String> after = commands.ran.subList(commands.ran.indexOf("ip addr del 198.51.100.10/32 dev lo"),
                commands.ran.size());
        assertThat(after).hasSize(6).allMatch(c -> c.startsWith("ip addr del") || c.contains(" -D GATEHOUSE-SPREAD "));
        assertThat(events).containsExactly("front: announced 198.51.100.10/32 over BGP (able to serve)",
                "front: withdrew 198.51.100.10/32 (finishing the connections here)", "front: address taken off lo");
    }

    @Test
    void anAddressItsWatchdogTookIsPutBack() throws Exception {
        driver.acquire(VIP);
        commands.watchdogGone = true;
        driver.refresh(VIP);
        assertThat(commands.ran).containsExactly("ip addr replace 198.51.100.10/32 dev lo", "ip addr replace 198.51.100.10/32 dev lo");
        assertThat(events).last().asString().startsWith("front: address put back on lo");
    }
}
