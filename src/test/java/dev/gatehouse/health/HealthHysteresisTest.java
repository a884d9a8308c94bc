package dev.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HealthHysteresisTest {

    private final HealthHysteresis start = HealthHysteresis.healthy(2, 3);

    @Test
    void startsHealthy() {
        assertThat(start.healthy()).isTrue();
    }

    @Test
    void fallConsecutiveFailuresMarkItDown() {
        HealthHysteresis h = start.next(false).next(false);
        assertThat(h.healthy()).as("after fall - 1 failures").isTrue();
        assertThat(h.next(false).healthy()).as("after fall failures").isFalse();
    }

    @Test
    void riseConsecutivePassesBringItBack() {
        HealthHysteresis down = start.next(false).next(false).next(false);
        assertThat(down.next(true).healthy()).isFalse();
        assertThat(down.next(true).next(true).healthy()).isTrue();
    }

    @Test
    void alternatingResultsNeverChangeState() {
        HealthHysteresis up = start;
        HealthHysteresis down = new HealthHysteresis(2, 3, false, 0);
        for (int i = 0; i < 100; i++) {
            boolean passed = i % 2 == 0;
            up = up.next(passed);
            down = down.next(passed);
            assertThat(up.healthy()).isTrue();
            assertThat(down.healthy()).isFalse();
        }
    }

    @Test
    void aConfirmingResultResetsTheStreak() {
        HealthHysteresis h = start.next(false).next(false).next(true).next(false).next(false);
        assertThat(h.healthy()).isTrue();
        assertThat(h.streak()).isEqualTo(2);
    }

    @Test
    void newThresholdsKeepHealthAndStreak() {
        HealthHysteresis h = start.next(false).withThresholds(5, 2);
        assertThat(h.healthy()).isTrue();
        assertThat(h.next(false).healthy()).as("second failure reaches the new fall of 2").isFalse();
    }

    @Test
    void rejectsThresholdsBelowOne() {
        assertThatThrownBy(() -> HealthHysteresis.healthy(0, 3)).hasMessageContaining("rise").hasMessageContaining("0");
        assertThatThrownBy(() -> HealthHysteresis.healthy(2, -1)).hasMessageContaining("fall").hasMessageContaining("-1");
    }
}
