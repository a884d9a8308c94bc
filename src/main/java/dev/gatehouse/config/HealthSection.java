package dev.gatehouse.config;

import java.time.Duration;

/** Reads a pool's {@code health:} (active checks) and {@code outlier:} (passive ejection). */
final class HealthSection {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    private HealthSection() {}

    /** @return null when {@code health} is absent: no active checks */
    static HealthConfig health(YamlNode h) {
        if (h == null || !h.expectKeys("type", "path", "expect_status", "host", "interval", "timeout", "rise", "fall")) {
            return null;
        }
        HealthConfig.Type type = h.get("type", Values.oneOf(HealthConfig.Type.class), HealthConfig.Type.TCP);
        if (type == HealthConfig.Type.TCP) {
            for (String httpOnly : new String[] {"path", "expect_status", "host"}) {
                if (h.has(httpOnly)) {
                    h.get(httpOnly).keyError("applies only to type: http");
                }
            }
        }
        StatusRange expect = h.get("expect_status", StatusRange::parse, StatusRange.SUCCESS_OR_REDIRECT);
        Duration interval = h.get("interval", Values.POSITIVE_DURATION, Duration.ofSeconds(2));
        // A timeout at or above the interval is valid (as in HAProxy and Envoy): checks of one endpoint never
        // overlap, the next starts an interval after the last began or as soon as it timed out.
        Duration timeout = h.get("timeout", Values.POSITIVE_DURATION,
                interval == null || interval.compareTo(DEFAULT_TIMEOUT) > 0 ? DEFAULT_TIMEOUT : interval);
        return new HealthConfig(
                type,
                h.get("path", HealthSection::path, "/"),
                expect.low(),
                expect.high(),
                h.get("host", Values.TEXT, null),
                interval,
                timeout,
                h.get("rise", Values.integer(1, 100), 2),
                h.get("fall", Values.integer(1, 100), 3));
    }

    /** @return null when {@code outlier} is absent: no passive ejection */
    static OutlierConfig outlier(YamlNode o) {
        if (o == null || !o.expectKeys("consecutive_failures", "base_ejection", "max_ejected")) {
            return null;
        }
        return new OutlierConfig(
                o.get("consecutive_failures", Values.integer(1, 1000), 5),
                o.get("base_ejection", Values.POSITIVE_DURATION, Duration.ofSeconds(30)),
                o.get("max_ejected", Percentages::parse, 0.5));
    }

    private static String path(String text) {
        if (!text.startsWith("/") || text.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("must be a request path starting with '/', got '" + text + "'");
        }
        return text;
    }
}
