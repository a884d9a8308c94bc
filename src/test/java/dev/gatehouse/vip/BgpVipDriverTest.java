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
}
