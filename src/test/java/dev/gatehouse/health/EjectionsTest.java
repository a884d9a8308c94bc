package dev.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EjectionsTest {

    private static final Duration BASE = Duration.ofSeconds(10);

    @Test
    void durationGrowsWithEachEjectionUpToTenTimesTheBase() {
        assertThat(Ejections.durationNanos(BASE, 1)).isEqualTo(BASE.toNanos());
        assertThat(Ejections.durationNanos(BASE, 2)).isEqualTo(2 * BASE.toNanos());
        assertThat(Ejections.durationNanos(BASE, 10)).isEqualTo(10 * BASE.toNanos());
        assertThat(Ejections.durationNanos(BASE, 50)).isEqualTo(10 * BASE.toNanos());
    }

    @Test
    void maxEjectedIsTheFloorOfTheFraction() {
        assertThat(Ejections.maxEjected(0.5, 4)).isEqualTo(2);
        assertThat(Ejections.maxEjected(0.5, 5)).isEqualTo(2);
        assertThat(Ejections.maxEjected(0.29, 100)).isEqualTo(29);
        assertThat(Ejections.maxEjected(1.0, 3)).isEqualTo(3);
    }

    @Test
    void aNonZeroFractionAllowsOneInPoolsOfTwoOrMore() {
        assertThat(Ejections.maxEjected(0.1, 2)).isEqualTo(1);
        assertThat(Ejections.maxEjected(0.4, 1)).isZero();
        assertThat(Ejections.maxEjected(0, 10)).isZero();
    }
}
