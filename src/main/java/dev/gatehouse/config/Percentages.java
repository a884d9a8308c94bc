package dev.gatehouse.config;

import java.util.regex.Pattern;

/** Parses shares written {@code 50%} (or as a plain fraction {@code 0.5}) into a fraction 0..1. */
public final class Percentages {

    private static final Pattern PERCENT = Pattern.compile("\\d{1,3}(\\.\\d{1,6})?%");
    private static final Pattern FRACTION = Pattern.compile("\\d(\\.\\d{1,8})?");

    private Percentages() {}

    /** @throws IllegalArgumentException when the text is not a share within 0%..100% */
    public static double parse(String text) {
        String t = text.strip();
        double fraction;
        if (PERCENT.matcher(t).matches()) {
            fraction = Double.parseDouble(t.substring(0, t.length() - 1)) / 100;
        } else if (FRACTION.matcher(t).matches()) {
            fraction = Double.parseDouble(t);
        } else {
            throw new IllegalArgumentException("must be a percentage such as 50% (or a fraction 0..1), got '" + text + "'");
        }
        if (fraction > 1) {
            throw new IllegalArgumentException("must be 0%..100%, got " + text);
        }
        return fraction;
    }
}
