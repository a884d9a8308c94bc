package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

    @ParameterizedTest
    @CsvSource({"512, 512", "512B, 512", "64KiB, 65536", "1MiB, 1048576", "1GiB, 1073741824",
            "64KB, 64000", "2MB, 2000000", "1GB, 1000000000", "0, 0", "'32 KiB', 32768"})
    void parsesBinaryAndDecimalUnits(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "KiB", "1.5MiB", "-1", "64kib", "64K", "1TiB"})
    void rejectsOtherForms(String text) {
        assertThatThrownBy(() -> Sizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("must be a size such as 512, 64KiB, 1MiB or 1GiB, got '" + text + "'");
    }

    @Test
    void rejectsOverflow() {
        assertThatThrownBy(() -> Sizes.parse("999999999999999GiB")).hasMessage("size is too large: '999999999999999GiB'");
    }
}
