package dev.gatehouse.cli;

import dev.gatehouse.config.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/** Reads durations on the command line as the config does: {@code 500ms}, {@code 2s}, {@code 1m}. */
final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return Durations.parse(value);
    }
}
