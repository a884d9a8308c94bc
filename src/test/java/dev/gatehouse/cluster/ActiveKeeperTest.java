package dev.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.time.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An active-active VIP's keeper against a driver that records its calls, on a stepped clock. */
class ActiveKeeperTest {

    private static final Duration NOTICE = Duration.ofSeconds(5);
    private static final VipState NONE = new VipState(null, 0, "", 0, null);

    private final ManualTicker ticker = new ManualTicker();
    private final VipConfig vip = new VipConfig("front", "198.51.100.10", Driver.BGP, null, Mode.ACTIVE_ACTIVE, null);
    private final List<String> calls = new ArrayList<>();
    private final List<String> changes = new ArrayList<>();
    private boolean acquireFails;
    private boolean checked = true;
    private final ActiveKeeper keeper = new ActiveKeeper(vip, new ScriptedDriver(calls), new ClusterListener() {
        @Override
        public void vipAnnouncement(String name, String change, String reason) {
            changes.add(change + ": " + reason);
        }
    }, ticker, () -> checked);

    @Test
    void announcesWhileAbleWithoutAnyLeaseOrFenceAndWithdrawsAtOnceWhenUnable() {
        keeper.tick(NONE, true, "", false, "self-fenced: the fence link to leader w1 ended");
        assertThat(keeper.holds()).isTrue();
        keeper.tick(NONE, true, "", false, null);
        assertThat(calls).containsExactly("acquire", "refresh");

        keeper.tick(NONE, false, "pool web (listener site) has no healthy endpoint", false, null);
        assertThat(keeper.holds()).isFalse();
        assertThat(calls).endsWith("withdraw");
        assertThat(changes).containsExactly("announced: able to serve",
                "withdrawn: pool web (listener site) has no healthy endpoint");

        // the address stays while the connections here finish, then goes
        ticker.advance(ActiveKeeper.DRAIN.minusMillis(1));
        keeper.tick(NONE, false, "pool web (listener site) has no healthy endpoint", false, null);
        assertThat(calls).doesNotContain("release");
        ticker.advance(Duration.ofMillis(1));
        keeper.tick(NONE, false, "pool web (listener site) has no healthy endpoint", false, null);
        assertThat(calls).endsWith("release");
        assertThat(changes).last().asString().startsWith("released: ");

        keeper.tick(NONE, true, "", false, null);
        assertThat(keeper.holds()).isTrue();
        assertThat(changes).hasSize(4).last().isEqualTo("announced: able to serve");
    }

    @Test
    void aDemotedNodeAnnouncesItIsLeavingForTheNoticeThenWithdraws() {
        keeper.tick(NONE, true, "", false, null);
        keeper.tick(NONE, false, "demoted by operator", true, null);
        assertThat(calls).containsExactly("acquire", "leaving");
        assertThat(keeper.holds()).isTrue(); // still announced, marked as leaving

        ticker.advance(NOTICE.minusMillis(1));
        keeper.tick(NONE, false, "demoted by operator", true, null);
        assertThat(calls).doesNotContain("withdraw");
        ticker.advance(Duration.ofMillis(1));
        keeper.tick(NONE, false, "demoted by operator", true, null);
        assertThat(calls).endsWith("withdraw");
        assertThat(keeper.holds()).isFalse();

        // undemoted while draining: announced again, the address never left
        keeper.tick(NONE, true, "", false, null);
        assertThat(calls).endsWith("withdraw", "acquire").doesNotContain("release");
        assertThat(changes).last().isEqualTo("announced: able to serve again");
    }

    @Test
    void aStartingNodeAnnouncesOnlyOnceItsOwnChecksPassed() {
        checked = false;
        keeper.tick(NONE, true, "", false, null);
        assertThat(keeper.holds()).isFalse();
        checked = true;
        keeper.tick(NONE, true, "", false, null);
        assertThat(keeper.holds()).isTrue();
        assertThat(calls).containsExactly("acquire");
    }

    @Test
    void aFailedAnnouncementIsTriedAgainAtTheNextTick() {
        acquireFails = true;
        keeper.tick(NONE, true, "", false, null);
        assertThat(keeper.holds()).isFalse();
        acquireFails = false;
        keeper.tick(NONE, true, "", false, null);
        assertThat(keeper.holds()).isTrue();
        assertThat(changes).containsExactly("announced: able to serve");
    }

    @Test
    void onShutdownItWithdrawsAndKeepsTheAddressForTheNodesDrain() {
        keeper.tick(NONE, true, "", false, null);
        keeper.releaseNow("member shutting down");
        assertThat(calls).containsExactly("acquire", "withdraw");
        assertThat(keeper.holds()).isFalse();
    }

    /** Fails its acquisitions while {@code acquireFails}; gives a leave notice. */
    private final class ScriptedDriver extends RecordingDriver {

        ScriptedDriver(List<String> calls) {
            super(calls);
        }

        @Override
        public void acquire(VipConfig v) throws Exception {
            if (acquireFails) {
                throw new java.io.IOException("bind failed");
            }
            super.acquire(v);
        }

        @Override
        public Duration leaveNotice(VipConfig v) {
            return NOTICE;
        }
    }
}
