package dev.gatehouse.drill;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * A probe's result as a client would state it.
 *
 * @param outageMillis the longest time between two successful requests, less the probe interval: how long
 *     no new request could have succeeded
 * @param delayed requests that succeeded but took longer than {@link #DELAYED}
 */
public record ProbeReport(int sent, int failed, int delayed, long outageMillis, List<Probe.Shot> shots) {

    public static final Duration DELAYED = Duration.ofMillis(200);

    static ProbeReport of(List<Probe.Shot> shots, Duration interval) {
        List<Probe.Shot> ordered = shots.stream().sorted(Comparator.comparingLong(Probe.Shot::startNanos)).toList();
        int failed = 0;
        int delayed = 0;
        long worst = 0;
        long lastOkEnd = -1;
        for (Probe.Shot s : ordered) {
            if (!s.ok()) {
                failed++;
                continue;
            }
            if (s.tookNanos() > DELAYED.toNanos()) {
                delayed++;
            }
            long end = s.startNanos() + s.tookNanos();
            if (lastOkEnd >= 0) {
                worst = Math.max(worst, end - lastOkEnd - interval.toNanos());
            }
            lastOkEnd = Math.max(lastOkEnd, end);
        }
        return new ProbeReport(ordered.size(), failed, delayed, Math.max(0, worst) / 1_000_000, ordered);
    }

    /** The distinct errors failed requests saw, with counts. */
    public String errorSummary() {
        return shots.stream().filter(s -> !s.ok()).collect(java.util.stream.Collectors.groupingBy(
                s -> s.error().replaceAll("\\d+", "N"), java.util.TreeMap::new, java.util.stream.Collectors.counting())).toString();
    }
}
