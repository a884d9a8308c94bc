package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PercentagesTest {

    @ParameterizedTest
    @CsvSource({"50%, 0.5", "0%, 0", "100%, 1", "12.5%, 0.125", "0.5, 0.5", "0, 0", "1, 1", "0.25, 0.25"})
    void parsesPercentagesAndFractions(String text, double fraction) {
        assertThat(Percentages.parse(text)).isEqualTo(fraction);
    }

    @ParameterizedTest
    @ValueSource(strings = {"150%", "101%", "1.5", "2"})
    void rejectsMoreThanAll(String text) {
        assertThatThrownBy(() -> Percentages.parse(text)).hasMessage("must be 0%..100%, got " + text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "%", "-5%", "half", "50 %", "50"})
    void rejectsOtherForms(String text) {
        assertThatThrownBy(() -> Percentages.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("must be");
    }
}
