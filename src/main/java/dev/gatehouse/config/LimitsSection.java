package dev.gatehouse.config;

/** Reads a listener's {@code limits:}. */
final class LimitsSection {

    private LimitsSection() {}

    static LimitsConfig read(YamlNode l) {
        if (l == null || !l.expectKeys("max_connections", "per_client")) {
            return LimitsConfig.NONE;
        }
        return new LimitsConfig(
                l.get("max_connections", Values.integer(0, Integer.MAX_VALUE), 0),
                perClient(l.get("per_client")));
    }

    private static LimitsConfig.PerClient perClient(YamlNode p) {
        if (p == null || !p.expectKeys("requests_per_second", "burst", "connections")) {
            return null;
        }
        Double rate = p.require("requests_per_second", Values.POSITIVE_NUMBER);
        double rps = rate == null ? 1 : rate;
        // Without an explicit burst, allow one second's worth of requests at once.
        int defaultBurst = (int) Math.min(Integer.MAX_VALUE, Math.max(1, Math.ceil(rps)));
        return new LimitsConfig.PerClient(
                rps,
                p.get("burst", Values.integer(1, Integer.MAX_VALUE), defaultBurst),
                p.get("connections", Values.integer(0, Integer.MAX_VALUE), 0));
    }
}
