package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusRangeTest {

    @ParameterizedTest
    @CsvSource({"200-399, 200, 399", "200, 200, 200", "' 204 - 204 ', 204, 204", "100-599, 100, 599"})
    void parsesRangesAndSingleCodes(String text, int low, int high) {
        assertThat(StatusRange.parse(text)).isEqualTo(new StatusRange(low, high));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "399-200 | range is empty: 399 is above 200",
        "200-600 | status codes must be within 100..599, got 200-600",
        "099 | status codes must be within 100..599, got 99-99",
        "2xx | must be a status such as 200 or a range such as 200-399, got '2xx'",
        "200- | must be a status such as 200 or a range such as 200-399, got '200-'"})
    void rejectsBadRanges(String text, String message) {
        assertThatThrownBy(() -> StatusRange.parse(text)).hasMessage(message);
    }
}
