package dev.gatehouse.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.gatehouse.metrics.ListenerStats;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The p99 of a second is taken from the listener's own latency histogram: only what was recorded in that second counts. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class QuantilesTest {

    private static final long MS = 1_000_000;

    private static Double p99(HistogramSnapshot before, HistogramSnapshot after) {
        return Quantiles.millis(before.histogramCounts(), after.histogramCounts(), after.count() - before.count(), 0.99);
    }

    @Test
    void onlyTheValuesBetweenTwoSnapshotsCount() {
        ListenerStats stats = new ListenerStats();
        for (int i = 0; i < 1000; i++) {
            stats.response(200, 20 * MS); // a slow first second: 10..25 ms bucket
        }
        HistogramSnapshot first = stats.latencySnapshot();
        for (int i = 0; i < 100; i++) {
            stats.response(200, 3 * MS / 10); // 0.25..0.5 ms bucket
        }
        HistogramSnapshot second = stats.latencySnapshot();

        assertThat(p99(first, second)).isCloseTo(0.25 + 0.25 * 99 / 100, within(1e-9));
        assertThat(p99(stats.latencySnapshot(), stats.latencySnapshot())).as("nothing recorded in between").isNull();
    }

    @Test
    void theRankIsInterpolatedInItsBucketAndCappedAtTheHighestBound() {
        ListenerStats stats = new ListenerStats();
        HistogramSnapshot start = stats.latencySnapshot();
        for (int i = 0; i < 98; i++) {
            stats.response(200, MS / 10); // below 0.25 ms
        }
        stats.response(200, 7 * MS); // 5..10 ms
        stats.response(200, 8 * MS);
        // rank 99 of 100: the first of the two in the 5..10 ms bucket, half way through it
        assertThat(p99(start, stats.latencySnapshot())).isCloseTo(7.5, within(1e-9));

        HistogramSnapshot before = stats.latencySnapshot();
        stats.response(504, 60_000 * MS); // above the highest bound, 30 s
        assertThat(p99(before, stats.latencySnapshot())).isEqualTo(30_000.0);
    }
}
