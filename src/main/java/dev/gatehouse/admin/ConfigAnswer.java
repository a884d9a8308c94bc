package dev.gatehouse.admin;

import java.util.List;

/** How a config change ended: committed as {@code version}, or refused with {@code errors} (then version is 0). */
public record ConfigAnswer(long version, List<String> errors) {

    public ConfigAnswer {
        errors = List.copyOf(errors);
    }
}
