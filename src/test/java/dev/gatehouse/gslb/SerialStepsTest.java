package dev.gatehouse.gslb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SerialStepsTest {

    /** Walks from {@code from} to {@code to}; every serial on the way reads as newer than the one before. */
    private static int hops(long from, long to) {
        long at = from;
        int hops = 0;
        while (at != to) {
            long next = SerialSteps.next(at, to);
            assertThat(SerialSteps.newer(next, at)).as("%d after %d", next, at).isTrue();
            at = next;
            hops++;
            assertThat(hops).isLessThanOrEqualTo(3);
        }
        return hops;
    }

    @Test
    void aNewerSerialIsPublishedAtOnce() {
        assertThat(SerialSteps.next(100, 200)).isEqualTo(200);
        assertThat(SerialSteps.next(4_000_000_000L, 5)).as("across the wrap").isEqualTo(5);
        assertThat(hops(100, 200)).isEqualTo(1);
    }

    @Test
    void anOlderLookingSerialIsReachedThroughNewerOnes() {
        assertThat(hops(200, 100)).isEqualTo(2);
        assertThat(hops(3_453_265_052L, 181_719_454L + (1L << 31))).isEqualTo(2);
        assertThat(hops(100, 99)).as("one below: the longest way").isEqualTo(3);
        assertThat(hops(100, 100 + (1L << 31))).as("exactly half way round reads as neither").isEqualTo(2);
    }
}
