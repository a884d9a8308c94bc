package dev.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Fence links in a real in-process cluster (lb1, lb2, witness w1, which leads): a crash is confirmed, a spurious end is survived. */
@Timeout(90)
class ConfirmedExitTest {

    private static final Duration START = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private TestCluster started() throws Exception {
        TestCluster c = new TestCluster(dir, TestCluster.preempt(true, Duration.ofSeconds(5))).start("lb1", "lb2", "w1");
        await().atMost(START).until(() -> c.member("lb1").owns(TestCluster.VIP) && "w1".equals(c.member("lb1").view().leader())
                && c.member("lb2").view().synced());
        return c;
    }

    @Test
    void aCrashedOwnerIsReplacedWithoutWaitingForTheLeaseAndNotPreemptedBack() throws Exception {
        try (TestCluster c = started()) {
            long crashed = System.nanoTime();
            c.member("lb1").halt(); // its sockets close without a goodbye, as the kernel closes a killed process's
            await().atMost(Duration.ofSeconds(5)).until(() -> c.log.last("lb2", true) != null);
            long ms = TimeUnit.NANOSECONDS.toMillis(c.log.last("lb2", true).nanos() - crashed);
            System.out.println("takeover after a confirmed exit of the owner: " + ms + " ms");
            assertThat(c.member("lb2").view().vips().get(TestCluster.VIP).reason()).isEqualTo("owner lb1 process exited");
            assertThat(ms).isLessThan(ClusterTimings.defaults().grantDelayNanos() / 1_000_000);
            assertThat(c.member("lb2").view().heard().get("lb1").up()).isFalse();
            // longer than lb1's last report lives: the VIP stays, lb1 is never granted it back
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> c.member("lb2").owns(TestCluster.VIP));
            assertThat(c.log.events().stream().filter(e -> e.member().equals("lb2")).toList())
                    .singleElement().satisfies(e -> assertThat(e.acquired()).isTrue());
        }
    }

    @Test
    void anOwnerWhoseLinkToTheLeaderEndsStopsServingBeforeAnyoneElseServes() throws Exception {
        try (TestCluster c = started()) {
            int before = c.log.events().size();
            // w1 takes the end as lb1's exit and grants lb2, unless lb1 links up again and renews first (a race
            // either way is safe): lb1 stops serving at once in both cases
            c.member("lb1").dropFenceLink("w1");
            await().atMost(Duration.ofSeconds(5)).until(() -> c.log.events().size() >= before + 2);
            VipLog.Event stopped = c.log.events().get(before);
            assertThat(stopped.member()).isEqualTo("lb1");
            assertThat(stopped.acquired()).isFalse();
            assertThat(c.log.maxHolders(TestCluster.VIP)).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> c.member("w1").view().heard().get("lb1").up());
            System.out.println("after a spurious end of the owner's link to the leader: " + c.log.events().subList(before, c.log.events().size()));
        }
    }

    @Test
    void anOwnerSelfFencedByTheLeaderEndingTheLinkServesAgainOnceItIsUp() throws Exception {
        try (TestCluster c = started()) {
            int acquisitions = (int) c.log.events().stream().filter(e -> e.member().equals("lb1") && e.acquired()).count();
            c.member("w1").dropFenceLink("lb1"); // lb1 reads the end; w1 knows it closed the link itself: no exit
            await().atMost(Duration.ofSeconds(5)).until(() -> c.log.events().stream()
                    .filter(e -> e.member().equals("lb1") && e.acquired()).count() > acquisitions);
            assertThat(c.log.last("lb1", false)).isNotNull(); // it did stop
            assertThat(c.log.holders(TestCluster.VIP)).containsExactly("lb1");
            assertThat(c.log.events()).noneMatch(e -> e.member().equals("lb2"));
            assertThat(c.log.maxHolders(TestCluster.VIP)).isEqualTo(1);
        }
    }
}
