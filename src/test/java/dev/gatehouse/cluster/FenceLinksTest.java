package dev.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.FreePorts;
import dev.gatehouse.config.ClusterConfig;
import dev.gatehouse.config.ClusterConfig.MemberConfig;
import dev.gatehouse.config.ClusterConfig.Role;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.time.Ticker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two members' fence links over real TLS sockets on loopback: lb1 dials lb2. */
@Timeout(30)
class FenceLinksTest {

    private static final Duration QUICK = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final ClusterTimings timings = ClusterTimings.defaults();
    private final List<FenceLinks> started = new ArrayList<>();
    private final AtomicInteger changes = new AtomicInteger();
    private Roster roster;
    private ClusterTls tls;

    private void setUp(String secret) throws Exception {
        roster = Roster.of(new ClusterConfig("c", null, List.of(
                new MemberConfig("lb1", new HostPort("127.0.0.1", FreePorts.cluster("127.0.0.1")), 150, Role.NODE),
                new MemberConfig("lb2", new HostPort("127.0.0.1", FreePorts.cluster("127.0.0.1")), 100, Role.NODE)),
                List.of()));
        tls = new ClusterTls(ClusterKey.fromSecretFile(TestCluster.write(dir.resolve("key"), secret)));
    }

    private FenceLinks start(String id, Observations seen) {
        return start(id, seen, tls);
    }

    private FenceLinks start(String id, Observations seen, ClusterTls with) {
        FenceLinks links = new FenceLinks(id, roster, with.context(), seen, changes::incrementAndGet, timings);
        links.start();
        started.add(links);
        return links;
    }

    @AfterEach
    void closeAll() {
        started.forEach(FenceLinks::close);
    }

    private static Observations observations() {
        return new Observations(Ticker.system(), ClusterTimings.defaults());
    }

    @Test
    void aLinkDroppedWithoutAGoodbyeIsAnExitAndAReconnectClearsIt() throws Exception {
        setUp("fence test secret one");
        Observations lb2Seen = observations();
        FenceLinks lb1 = start("lb1", observations());
        FenceLinks lb2 = start("lb2", lb2Seen);
        await().atMost(QUICK).until(() -> changes.get() >= 2);
        assertThat(lb2Seen.exitConfirmed("lb1")).isFalse();

        long dropped = System.nanoTime();
        lb1.abort(); // the kernel closing a killed process's socket: FIN, no TLS close, no goodbye
        await().atMost(QUICK).pollInterval(Duration.ofMillis(1)).until(() -> lb2Seen.exitConfirmed("lb1"));
        System.out.printf("exit seen %d ms after the link was dropped%n", (System.nanoTime() - dropped) / 1_000_000);
        assertThat(lb2.broken("lb1")).isTrue();

        start("lb1", observations()); // the restarted process dials again
        await().atMost(QUICK).until(() -> !lb2Seen.exitConfirmed("lb1") && !lb2.broken("lb1"));
    }

    @Test
    void aGoodbyeIsNoExitAndLeavesNothingBroken() throws Exception {
        setUp("fence test secret two");
        Observations lb1Seen = observations();
        Observations lb2Seen = observations();
        FenceLinks lb1 = start("lb1", lb1Seen);
        FenceLinks lb2 = start("lb2", lb2Seen);
        await().atMost(QUICK).until(() -> changes.get() >= 2);
        int before = changes.get();
        lb2.close();
        await().atMost(QUICK).until(() -> changes.get() > before);
        await().during(Duration.ofMillis(300)).atMost(QUICK)
                .until(() -> !lb1Seen.exitConfirmed("lb2") && !lb1.broken("lb2"));
    }

    @Test
    void aPeerWithoutTheClusterKeyNeverLinksAndIsCounted() throws Exception {
        setUp("fence test secret three");
        ClusterTls stranger = new ClusterTls(ClusterKey.fromSecretFile(TestCluster.write(dir.resolve("other"), "another cluster secret entirely")));
        Observations lb2Seen = observations();
        start("lb1", observations(), stranger);
        start("lb2", lb2Seen);
        // the dialer checks the server first in TLS 1.3, so the refusal is counted on the stranger's side
        await().atMost(QUICK).until(() -> stranger.rejectedPeers() + tls.rejectedPeers() > 0);
        assertThat(changes.get()).isZero();
    }
}
