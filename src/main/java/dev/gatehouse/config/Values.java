package dev.gatehouse.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Parsers for plain scalar values, for use with {@link YamlNode}'s getters. */
final class Values {

    private Values() {}

    static final Function<String, String> TEXT = text -> {
        if (text.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return text;
    };

    static final Function<String, Boolean> BOOL = text -> switch (text) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new IllegalArgumentException("must be true or false, got '" + text + "'");
    };

    static final Function<String, Duration> DURATION = Durations::parse;

    static final Function<String, Duration> POSITIVE_DURATION = text -> {
        Duration d = Durations.parse(text);
        if (d.isZero()) {
            throw new IllegalArgumentException("must be more than 0, got " + text);
        }
        return d;
    };

    static final Function<String, Double> POSITIVE_NUMBER = text -> {
        double value;
        try {
            value = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a number, got '" + text + "'");
        }
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("must be more than 0, got " + text);
        }
        return value;
    };

    static Function<String, Integer> integer(int min, int max) {
        return text -> (int) longInteger(min, max).apply(text).longValue();
    }

    static Function<String, Long> longInteger(long min, long max) {
        return text -> {
            long value;
            try {
                value = Long.parseLong(text.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be a whole number, got '" + text + "'");
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException("must be " + min + ".." + max + ", got " + value);
            }
            return value;
        };
    }

    /** One of the enum's constants written in lower case, e.g. {@code round_robin}. */
    static <E extends Enum<E>> Function<String, E> oneOf(Class<E> type) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(Values::yamlName).toList();
        return text -> {
            int i = names.indexOf(text);
            if (i < 0) {
                throw new IllegalArgumentException("must be one of " + String.join(" | ", names) + ", got '" + text + "'"
                        + Suggestions.didYouMean(text, names));
            }
            return type.getEnumConstants()[i];
        };
    }

    static String yamlName(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }
}
