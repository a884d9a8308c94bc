package dev.gatehouse.config;

import java.util.List;

/** The outcome of loading a config: a fully validated {@link GatehouseConfig}, or every error found. */
public final class ConfigResult {

    private final GatehouseConfig config;
    private final List<ConfigError> errors;
    private final List<ConfigError> warnings;

    private ConfigResult(GatehouseConfig config, List<ConfigError> errors, List<ConfigError> warnings) {
        this.config = config;
        this.errors = errors;
        this.warnings = warnings;
    }

    static ConfigResult valid(GatehouseConfig config, List<ConfigError> warnings) {
        return new ConfigResult(config, List.of(), List.copyOf(warnings));
    }

    static ConfigResult invalid(List<ConfigError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an invalid result needs at least one error");
        }
        return new ConfigResult(null, List.copyOf(errors), List.of());
    }

    public boolean isValid() {
        return config != null;
    }

    /** The validated config; throws {@link IllegalStateException} listing the errors when invalid. */
    public GatehouseConfig config() {
        if (config == null) {
            throw new IllegalStateException("invalid config:\n" + describeErrors());
        }
        return config;
    }

    /** Every error, in line order; empty when valid. */
    public List<ConfigError> errors() {
        return errors;
    }

    /** The errors as {@code FILE:LINE key.path: why} lines, as {@code gatehouse check} prints them. */
    public List<String> errorLines() {
        return errors.stream().map(ConfigError::toString).toList();
    }

    /** What is worth fixing but runs, as {@code FILE:LINE key.path: warning: why} lines (an expired certificate). */
    public List<String> warningLines() {
        return warnings.stream().map(ConfigError::toString).toList();
    }

    /** The errors one per line. */
    public String describeErrors() {
        return String.join("\n", errorLines());
    }

    @Override
    public String toString() {
        return isValid() ? "ConfigResult[valid]" : "ConfigResult[" + errors.size() + " errors]";
    }
}
