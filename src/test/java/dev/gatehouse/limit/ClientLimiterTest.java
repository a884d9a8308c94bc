package dev.gatehouse.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.time.ManualTicker;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One listener's per-client limits, on a clock the test steps. */
class ClientLimiterTest {

    private static final InetAddress A = InetAddress.ofLiteral("198.51.100.7");
    private static final InetAddress B = InetAddress.ofLiteral("198.51.100.8");
    private static final InetAddress V6 = InetAddress.ofLiteral("2001:db8::7");

    private final ManualTicker clock = new ManualTicker();
    private final ClientLimits limits = new ClientLimits(clock, 4);
    private final ClientLimiter limiter = limits.limiter("web");

    private static LimitsConfig perClient(double rps, int burst, int connections) {
        return new LimitsConfig(0, new LimitsConfig.PerClient(rps, burst, connections));
    }

    private long acquire(ClientState client) {
        return limiter.acquire(client, clock.nanos());
    }

    @Test
    void aFullBucketAdmitsABurstThenRefusesWithTheTimeUntilTheNextToken() {
        limiter.configure(perClient(10, 5, 0));
        ClientState a = limiter.connect(A);

        for (int i = 0; i < 5; i++) {
            assertThat(acquire(a)).as("request %d", i).isZero();
        }
        assertThat(acquire(a)).isEqualTo(Duration.ofMillis(100).toNanos());
        clock.advance(Duration.ofMillis(40));
        assertThat(acquire(a)).isEqualTo(Duration.ofMillis(60).toNanos());
        clock.advance(Duration.ofMillis(60));
        assertThat(acquire(a)).isZero();
        assertThat(acquire(a)).isPositive();
    }

    @Test
    void overTimeAClientGetsItsRateAndNoMore() {
        limiter.configure(perClient(200, 400, 0));
        ClientState a = limiter.connect(A);
        int admitted = 0;
        // 1000 requests a second for 10 s: a burst of 400, then 200 a second.
        for (int ms = 0; ms < 10_000; ms++) {
            if (acquire(a) == 0) {
                admitted++;
            }
            clock.advance(Duration.ofMillis(1));
        }
        assertThat(admitted).isBetween(400 + 2000 - 2, 400 + 2000 + 1);
    }

    @Test
    void fractionalRatesWork() {
        limiter.configure(perClient(0.5, 1, 0));
        ClientState a = limiter.connect(A);
        assertThat(acquire(a)).isZero();
        assertThat(acquire(a)).isEqualTo(Duration.ofSeconds(2).toNanos());
        clock.advance(Duration.ofSeconds(2));
        assertThat(acquire(a)).isZero();
    }

    @Test
    void clientsHaveTheirOwnBuckets() {
        limiter.configure(perClient(1, 1, 0));
        ClientState a = limiter.connect(A);
        ClientState b = limiter.connect(B);
        ClientState v6 = limiter.connect(V6);
        assertThat(acquire(a)).isZero();
        assertThat(acquire(a)).isPositive();
        assertThat(acquire(b)).isZero();
        assertThat(acquire(v6)).isZero();
        assertThat(acquire(v6)).isPositive();
        assertThat(limiter.connect(InetAddress.ofLiteral("2001:db8::8"))).isNotSameAs(v6);
    }

    @Test
    void connectionsOfOneClientShareOneBucket() {
        limiter.configure(perClient(1, 2, 0));
        ClientState first = limiter.connect(A);
        ClientState second = limiter.connect(InetAddress.ofLiteral("198.51.100.7"));
        assertThat(second).isSameAs(first);
        assertThat(acquire(first)).isZero();
        assertThat(acquire(second)).isZero();
        assertThat(acquire(first)).isPositive();
    }

    @Test
    void theConnectionCapRefusesUntilAConnectionCloses() {
        limiter.configure(perClient(100, 100, 2));
        ClientState first = limiter.connect(A);
        ClientState second = limiter.connect(A);
        assertThat(first).isNotNull().isSameAs(second);
        assertThat(limiter.connect(A)).isNull();
        assertThat(limiter.connect(B)).isNotNull();

        limiter.disconnect(first);
        assertThat(limiter.connect(A)).isSameAs(second);
        assertThat(limiter.connect(A)).isNull();
    }

    @Test
    void withoutPerClientLimitsNothingIsTrackedOrRefused() {
        limiter.configure(new LimitsConfig(10, null));
        ClientState a = limiter.connect(A);
        assertThat(a).isSameAs(ClientState.UNLIMITED);
        for (int i = 0; i < 1000; i++) {
            assertThat(acquire(a)).isZero();
        }
        assertThat(limiter.trackedClients()).isZero();
    }

    @Test
    void aConnectionOpenedBeforeLimitsAttachesWithoutBeingRefused() {
        limiter.configure(perClient(1, 1, 1));
        ClientState counted = limiter.connect(A);
        assertThat(limiter.attach(A)).isSameAs(counted);
        assertThat(limiter.connect(A)).isNull();
    }

    @Test
    void aFullTableLetsNewClientsThroughUntrackedUntilASweepForgetsIdleOnes() {
        limiter.configure(perClient(1, 1, 1));
        ClientState[] held = new ClientState[4];
        for (int i = 0; i < 4; i++) {
            held[i] = limiter.connect(InetAddress.ofLiteral("192.0.2." + i));
            assertThat(acquire(held[i])).isZero();
        }
        ClientState extra = limiter.connect(B);
        assertThat(extra).isSameAs(ClientState.UNTRACKED);
        assertThat(acquire(extra)).isZero();
        assertThat(acquire(extra)).isZero();

        // Client 0 closes but its bucket is not full yet; client 1 closes and refills; the rest keep connections.
        limiter.disconnect(held[0]);
        limiter.disconnect(held[1]);
        clock.advance(Duration.ofMillis(500));
        assertThat(limiter.sweep()).isZero();
        clock.advance(Duration.ofMillis(500));
        assertThat(limiter.sweep()).isEqualTo(2);
        assertThat(limiter.trackedClients()).isEqualTo(2);

        ClientState now = limiter.connect(B);
        assertThat(now.tracked()).isTrue();
        assertThat(acquire(now)).isZero();
        assertThat(acquire(now)).isPositive();
        // A client with an open connection is never forgotten: its count holds.
        assertThat(limiter.connect(InetAddress.ofLiteral("192.0.2.2"))).isNull();
    }

    @Test
    void aForgottenClientComesBackWithAFullBucketAsBefore() {
        limiter.configure(perClient(1, 3, 0));
        ClientState a = limiter.connect(A);
        acquire(a);
        acquire(a);
        limiter.disconnect(a);
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.sweep()).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.sweep()).isOne();
        ClientState again = limiter.connect(A);
        assertThat(again).isNotSameAs(a);
        assertThat(limiter.tokens(A)).isEqualTo(3.0);
    }

    @Test
    void aReloadKeepsBucketsAtTheSameRateRefillsThemAtAnotherAndKeepsConnectionCounts() {
        limiter.configure(perClient(1, 2, 1));
        ClientState a = limiter.connect(A);
        acquire(a);
        acquire(a);
        assertThat(acquire(a)).isPositive();

        limiter.configure(perClient(1, 2, 5));
        assertThat(acquire(a)).as("same rate and burst: the bucket is kept").isPositive();

        limiter.configure(perClient(1, 4, 2));
        for (int i = 0; i < 4; i++) {
            assertThat(acquire(a)).as("new burst: a full bucket").isZero();
        }
        assertThat(acquire(a)).isPositive();
        assertThat(limiter.connect(A)).as("one connection was open, two allowed").isSameAs(a);
        assertThat(limiter.connect(A)).isNull();

        limiter.configure(new LimitsConfig(0, null));
        assertThat(acquire(a)).as("limits removed").isZero();
        assertThat(limiter.connect(A)).isSameAs(ClientState.UNLIMITED);
    }

    @Test
    void remoteUsageDebitsTheBucketDownToMinusABurst() {
        limiter.configure(perClient(10, 5, 0));
        ClientState a = limiter.connect(A);
        limits.absorbRemote("web", "198.51.100.7", 3);
        assertThat(limiter.tokens(A)).isCloseTo(2.0, within(1e-9));
        limits.absorbRemote("web", "198.51.100.7", 1_000_000);
        assertThat(limiter.tokens(A)).isCloseTo(-5.0, within(1e-9));
        // From -5 it takes 6 tokens' time (600 ms) to admit again.
        assertThat(acquire(a)).isEqualTo(Duration.ofMillis(600).toNanos());

        limits.absorbRemote("web", "2001:db8::7", 2);
        assertThat(limiter.tokens(V6)).isCloseTo(3.0, within(1e-9));
    }

    @Test
    void malformedRemoteUsageIsDroppedAndCountedAndOtherListenersAreIgnored() {
        limiter.configure(perClient(10, 5, 0));
        limits.absorbRemote("web", "not-an-ip", 3);
        limits.absorbRemote("web", "example.com", 3);
        limits.absorbRemote("web", null, 3);
        limits.absorbRemote("web", "198.51.100.7", -3);
        assertThat(limits.droppedUsage()).isEqualTo(4);
        limits.absorbRemote("other", "198.51.100.7", 3);
        assertThat(limits.droppedUsage()).isEqualTo(4);
        assertThat(limiter.trackedClients()).isZero();
    }

    @Test
    void drainReportsEachClientsAdmittedRequestsOnceByItsLiteral() {
        limiter.configure(perClient(100, 100, 0));
        StringBuilder seen = new StringBuilder();
        UsageExchange.Sink sink = (listener, client, n) -> seen.append(listener).append(' ').append(client).append(' ').append(n).append(';');
        limits.drainLocal(sink); // starts the counting
        ClientState a = limiter.connect(A);
        ClientState v6 = limiter.connect(V6);
        for (int i = 0; i < 7; i++) {
            acquire(a);
        }
        acquire(v6);
        limits.absorbRemote("web", "198.51.100.8", 5);
        limits.drainLocal(sink);
        assertThat(seen.toString().split(";")).containsExactlyInAnyOrder("web 198.51.100.7 7", "web 2001:db8:0:0:0:0:0:7 1");
        seen.setLength(0);
        limits.drainLocal(sink);
        assertThat(seen).isEmpty();
    }

    @Test
    void aRequestAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        limiter.configure(perClient(1e6, 1_000_000, 0));
        limits.drainLocal((l, c, n) -> { });
        ClientState a = limiter.connect(A);
        Duration step = Duration.ofNanos(1);
        long sink = 0;
        for (int i = 0; i < 50_000; i++) {
            sink += acquire(a);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            sink += acquire(a);
            clock.advance(step);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sink).isNotNegative();
        assertThat(allocated).as("bytes allocated over 100000 requests").isLessThan(1024);
    }

    @Test
    void ipv4KeysAreTheAddressAndIpv6KeysNeverCollideWithThem() {
        assertThat(ClientKeys.of(A)).isEqualTo(0xC6_33_64_07L);
        assertThat(ClientKeys.of(InetAddress.ofLiteral("255.255.255.255"))).isEqualTo(0xFFFF_FFFFL);
        assertThat(ClientKeys.of(V6)).isNegative().isEqualTo(ClientKeys.of(InetAddress.ofLiteral("2001:db8:0::7")));
        assertThat(ClientKeys.of(V6)).isNotEqualTo(ClientKeys.of(InetAddress.ofLiteral("2001:db8::8")));
    }
}
