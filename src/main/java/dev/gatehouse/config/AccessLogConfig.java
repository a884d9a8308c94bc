package dev.gatehouse.config;

import java.nio.file.Path;

/**
 * A listener's {@code access_log:}: one line per HTTP request or TCP connection.
 *
 * @param file where lines go; null for standard output ({@code path: "-"})
 * @param sample the share of requests logged, 0.01..1
 */
public record AccessLogConfig(Path file, Format format, double sample) {

    /** How a line is written: a JSON object, or the same fields as text separated by spaces. */
    public enum Format { JSON, TEXT }
}
