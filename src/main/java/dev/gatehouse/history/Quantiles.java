package dev.gatehouse.history;

import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.concurrent.TimeUnit;

/**
 * Quantiles of what a cumulative latency histogram recorded between two snapshots of it: the bucket counts are
 * subtracted, the bucket holding the rank found, and the value interpolated linearly inside it (as Prometheus'
 * {@code histogram_quantile} does). A rank above the highest bucket is reported as that bucket's bound.
 */
public final class Quantiles {

    private Quantiles() {}

    /**
     * @param before the buckets at the earlier snapshot (counts of values at or below each bound, ascending bounds)
     * @param after the same buckets at the later one
     * @param total values recorded between the two, including those above the highest bound
     * @return the {@code q} quantile in milliseconds, or null when nothing was recorded
     */
    public static Double millis(CountAtBucket[] before, CountAtBucket[] after, long total, double q) {
        if (total <= 0 || after.length == 0) {
            return null;
        }
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (int i = 0; i < after.length; i++) {
            double bound = after[i].bucket(TimeUnit.MILLISECONDS);
            double count = after[i].count() - (i < before.length ? before[i].count() : 0);
            if (count >= rank && count > lowerCount) {
                return lowerBound + (bound - lowerBound) * (rank - lowerCount) / (count - lowerCount);
            }
            lowerBound = bound;
            lowerCount = count;
        }
        return lowerBound;
    }
}
