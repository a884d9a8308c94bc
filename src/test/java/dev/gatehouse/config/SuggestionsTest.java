package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

    private static final List<String> KEYS = List.of("endpoints", "health", "retries", "web");

    @Test
    void suggestsTheClosestNearMiss() {
        assertThat(Suggestions.didYouMean("endpoint", KEYS)).isEqualTo(" (did you mean endpoints?)");
        assertThat(Suggestions.didYouMean("helth", KEYS)).isEqualTo(" (did you mean health?)");
        assertThat(Suggestions.didYouMean("wbe", KEYS)).isEqualTo(" (did you mean web?)");
        assertThat(Suggestions.didYouMean("Retries", KEYS)).isEqualTo(" (did you mean retries?)");
    }

    @Test
    void staysQuietWhenNothingIsClose() {
        assertThat(Suggestions.didYouMean("color", KEYS)).isEmpty();
        assertThat(Suggestions.didYouMean("db", KEYS)).isEmpty();
        assertThat(Suggestions.didYouMean("x", List.of())).isEmpty();
    }

    @Test
    void countsASwapAsOneEdit() {
        assertThat(Suggestions.distance("fornt", "front")).isEqualTo(1);
        assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
    }
}
