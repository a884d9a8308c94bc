package dev.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SlowStartTest {

    private static final long RAMP = Duration.ofSeconds(10).toNanos();

    @Test
    void rampsLinearlyFromTenPercentToFull() {
        assertThat(SlowStart.weight(1000, 0, RAMP)).isEqualTo(100);
        assertThat(SlowStart.weight(1000, RAMP / 2, RAMP)).isEqualTo(550);
        assertThat(SlowStart.weight(1000, RAMP - 1, RAMP)).isEqualTo(1000);
        assertThat(SlowStart.weight(1000, RAMP, RAMP)).isEqualTo(1000);
    }

    @Test
    void neverBelowOneNorBeforeTheStart() {
        assertThat(SlowStart.weight(3, 0, RAMP)).isEqualTo(1);
        assertThat(SlowStart.weight(1000, -5, RAMP)).isEqualTo(100);
    }

    @Test
    void noRampMeansFullWeight() {
        assertThat(SlowStart.weight(1000, 0, 0)).isEqualTo(1000);
    }

    @Test
    void republishesATenthOfTheRampBetweenTenMillisecondsAndOneSecond() {
        assertThat(SlowStart.tickNanos(Duration.ofSeconds(5).toNanos())).isEqualTo(Duration.ofMillis(500).toNanos());
        assertThat(SlowStart.tickNanos(Duration.ofMinutes(1).toNanos())).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(SlowStart.tickNanos(Duration.ofMillis(20).toNanos())).isEqualTo(Duration.ofMillis(10).toNanos());
    }
}
