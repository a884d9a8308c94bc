package dev.gatehouse.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a listener's {@code access_log:}; with a base directory, also checks that the file can be written. */
final class AccessLogSection {

    static final String STDOUT = "-";
    private static final double MIN_SAMPLE = 0.01;

    private AccessLogSection() {}

    /** The access log at {@code a}, or null when there is none (or, after recording why, it is bad). */
    static AccessLogConfig read(YamlNode a, Path baseDir) {
        if (a == null || !a.expectKeys("path", "format", "sample")) {
            return null;
        }
        String name = a.require("path", Values.TEXT);
        AccessLogConfig.Format format = a.get("format", Values.oneOf(AccessLogConfig.Format.class), AccessLogConfig.Format.JSON);
        double sample = a.get("sample", AccessLogSection::sample, 1.0);
        if (name == null) {
            return null;
        }
        if (name.equals(STDOUT)) {
            return new AccessLogConfig(null, format, sample);
        }
        Path file = ConfigPaths.resolve(a.get("path"), name, baseDir);
        if (file == null) {
            return null;
        }
        if (baseDir != null) {
            checkWritable(a.get("path"), file);
        }
        return new AccessLogConfig(file, format, sample);
    }

    private static double sample(String text) {
        double share = Percentages.parse(text);
        if (share < MIN_SAMPLE) {
            throw new IllegalArgumentException("must be 1%..100%, got " + text);
        }
        return share;
    }

    /** A file this process could not open for appending is refused now rather than found out at the first request. */
    private static void checkWritable(YamlNode at, Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (Files.isDirectory(file)) {
            at.error(file + " is a directory");
        } else if (Files.exists(file) ? !Files.isWritable(file) : dir == null || !Files.isDirectory(dir)) {
            at.error(Files.exists(file) ? "cannot write " + file : "no directory " + dir
                    + " (a relative path is resolved from the config file's directory)");
        } else if (!Files.exists(file) && !Files.isWritable(dir)) {
            at.error("cannot create a file in " + dir);
        }
    }
}
