package dev.gatehouse.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.time.ManualTicker;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two nodes that swap usage every 100 ms hold a client to about its limit in total, however it spreads its
 * requests over them.
 */
class UsageExchangeTest {

    private static final double RATE = 200;
    private static final int BURST = 400;
    private static final InetAddress CLIENT = InetAddress.ofLiteral("203.0.113.9");

    private final ManualTicker clock = new ManualTicker();
    private final ClientLimits node1 = new ClientLimits(clock);
    private final ClientLimits node2 = new ClientLimits(clock);

    @ParameterizedTest(name = "node 1 gets {0} of 4 requests")
    @ValueSource(ints = {2, 3, 4})
    void aClientAtTwiceItsRateOverTwoNodesGetsAboutItsRateInTotal(int ofFour) {
        double rate = run(true, ofFour);
        System.out.printf("client at %.0f/s, %d of 4 requests to node 1, limit %.0f/s: admitted %.1f/s in total%n",
                2 * RATE, ofFour, RATE, rate);
        assertThat(rate).as("admitted per second, exchanging").isBetween(RATE * 0.8, RATE * 1.2);
    }

    @Test
    void withoutTheExchangeEachNodeWouldAdmitTheFullRate() {
        assertThat(run(false, 2)).as("admitted per second, not exchanging").isGreaterThan(RATE * 1.8);
    }

    /**
     * 400 requests a second (twice the rate) for 60 s, {@code ofFour} of every 4 to node 1 and the rest to node 2;
     * returns the requests admitted per second after the first 5 s (the initial bursts).
     */
    private double run(boolean exchange, int ofFour) {
        LimitsConfig limits = new LimitsConfig(0, new LimitsConfig.PerClient(RATE, BURST, 0));
        ClientLimiter one = node1.limiter("web");
        ClientLimiter two = node2.limiter("web");
        one.configure(limits);
        two.configure(limits);
        ClientState onOne = one.connect(CLIENT);
        ClientState onTwo = two.connect(CLIENT);
        swap(); // starts the counting

        long admitted = 0;
        int seconds = 60;
        int warmUp = 5;
        for (int tick = 0; tick < seconds * 400; tick++) {
            boolean toOne = tick % 4 < ofFour;
            long wait = toOne ? one.acquire(onOne, clock.nanos()) : two.acquire(onTwo, clock.nanos());
            if (wait == 0 && tick >= warmUp * 400) {
                admitted++;
            }
            clock.advance(Duration.ofNanos(2_500_000));
            if (exchange && tick % 40 == 39) { // every 100 ms
                swap();
            }
        }
        return admitted / (double) (seconds - warmUp);
    }

    private void swap() {
        node1.drainLocal(node2::absorbRemote);
        node2.drainLocal(node1::absorbRemote);
    }
}
