package dev.gatehouse.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses config sizes in bytes: {@code 512}, {@code 64KiB}, {@code 1MiB}, {@code 1GiB}, or 1000-based {@code 64KB}. */
public final class Sizes {

    private static final Pattern FORM = Pattern.compile("(\\d{1,15})\\s*(B|KiB|MiB|GiB|KB|MB|GB)?");

    private static final Map<String, Long> UNITS = Map.of(
            "B", 1L,
            "KiB", 1L << 10, "MiB", 1L << 20, "GiB", 1L << 30,
            "KB", 1_000L, "MB", 1_000_000L, "GB", 1_000_000_000L);

    private Sizes() {}

    /** @throws IllegalArgumentException with a message naming the text when it is not a size */
    public static long parse(String text) {
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a size such as 512, 64KiB, 1MiB or 1GiB, got '" + text + "'");
        }
        long unit = m.group(2) == null ? 1 : UNITS.get(m.group(2));
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("size is too large: '" + text + "'");
        }
    }
}
