package dev.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ClusterConfig;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterTimingsTest {

    static Stream<Duration> leases() {
        return Stream.of(ClusterConfig.MIN_LEASE, ClusterConfig.DEFAULT_LEASE, Duration.ofSeconds(2), ClusterConfig.MAX_LEASE);
    }

    /**
     * The leader refuses every write while a leadership transfer is pending. A renewal refused then is retried at the
     * next interval; that one must still commit before the owner has to release.
     */
    @ParameterizedTest
    @MethodSource("leases")
    void aLeadershipTransferPendingForItsWholeTimeoutCannotCostTheOwnerItsLease(Duration lease) {
        ClusterTimings t = ClusterTimings.forLease(lease);
        long lastRenewalStartsBy = t.leadershipTransferTimeout().toNanos() + t.renewIntervalNanos();
        assertThat(lastRenewalStartsBy).isLessThan(t.leaseNanos() - t.guardNanos());
    }
}
