package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({"500ms, 500", "2s, 2000", "1m, 60000", "1h, 3600000", "0, 0", "0s, 0", "' 10s ', 10000"})
    void parsesEachUnit(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "1.5s", "-1s", "10 s", "2d", "1m30s", "PT1S", "10"})
    void rejectsOtherForms(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be a duration such as 500ms, 2s, 1m or 1h, got '" + text + "'");
    }

    @Test
    void suggestsAUnitForABareNumber() {
        assertThatThrownBy(() -> Durations.parse("10")).hasMessageEndingWith("(add a unit: 10s or 10ms)");
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "500, 500ms", "1500, 1500ms", "2000, 2s", "90000, 90s", "120000, 2m", "7200000, 2h"})
    void formatsInTheShortestExactUnit(long millis, String text) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }
}
