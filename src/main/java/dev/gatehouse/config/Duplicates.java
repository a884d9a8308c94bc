package dev.gatehouse.config;

import java.util.HashMap;
import java.util.Map;

/** Finds a value that must be unique (a name, an address) given twice, and reports the second at its line. */
final class Duplicates<K> {

    private final String what;
    private final Map<K, Integer> firstLines = new HashMap<>();

    /** @param what how the error names the value, e.g. "listener name" */
    Duplicates(String what) {
        this.what = what;
    }

    /** Records {@code key} (ignored when null: it was already reported as bad) found at {@code at}. */
    void check(K key, YamlNode at) {
        if (key == null) {
            return;
        }
        Integer first = firstLines.putIfAbsent(key, at.line());
        if (first != null) {
            at.error("duplicate " + what + " " + key + " (first at line " + first + ")");
        }
    }
}
