package dev.gatehouse.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects the errors of one load so that every problem is reported at once. */
final class ErrorList {

    private final String file;
    private final List<ConfigError> errors = new ArrayList<>();
    private final List<ConfigError> warnings = new ArrayList<>();

    ErrorList(String file) {
        this.file = file;
    }

    void add(int line, String path, String message) {
        errors.add(new ConfigError(file, line, path, message));
    }

    void warn(int line, String path, String message) {
        warnings.add(new ConfigError(file, line, path, "warning: " + message));
    }

    List<ConfigError> warnings() {
        return List.copyOf(warnings);
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    /** The errors sorted by line: checks across sections run after the sections, but read best in file order. */
    List<ConfigError> sorted() {
        return errors.stream().sorted(Comparator.comparingInt(ConfigError::line)).toList();
    }
}
