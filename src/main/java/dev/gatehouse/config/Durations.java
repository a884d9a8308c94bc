package dev.gatehouse.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses config durations: {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}, and {@code 0}. */
public final class Durations {

    private static final Pattern FORM = Pattern.compile("(\\d{1,12})(ms|s|m|h)");

    private Durations() {}

    /** @throws IllegalArgumentException with a message naming the text when it is not a duration */
    public static Duration parse(String text) {
        String t = text.strip();
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = FORM.matcher(t);
        if (!m.matches()) {
            String hint = t.chars().allMatch(Character::isDigit) && !t.isEmpty() ? " (add a unit: " + t + "s or " + t + "ms)" : "";
            throw new IllegalArgumentException("must be a duration such as 500ms, 2s, 1m or 1h, got '" + text + "'" + hint);
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** The shortest config form of a duration: {@code 1m}, {@code 90s}, {@code 1500ms}, {@code 0s}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
