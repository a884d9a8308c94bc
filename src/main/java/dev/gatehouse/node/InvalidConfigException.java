package dev.gatehouse.node;

import java.util.List;

/** A config that failed validation; its message lists every error, one per line. */
public final class InvalidConfigException extends Exception {

    private final List<String> errors;

    public InvalidConfigException(List<String> errors) {
        super(String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
