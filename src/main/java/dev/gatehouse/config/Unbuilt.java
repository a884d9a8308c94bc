package dev.gatehouse.config;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Keys and values the design reserves for features this build does not have. They are refused as errors, so an
 * operator never runs a config that names a protection nothing provides.
 */
final class Unbuilt {

    /** Reserved key paths (list indices and pool names as wildcards) and the feature each belongs to. */
    private static final Map<Pattern, String> KEYS = Map.of(
            Pattern.compile("node\\.bgp\\.peers\\[\\d+]\\.bfd"), "BFD",
            Pattern.compile("listeners\\[\\d+]\\.access_log"), "access logs");

    private Unbuilt() {}

    /** The feature a reserved key at {@code path} belongs to, or null when the key is simply unknown. */
    static String featureAt(String path) {
        for (Map.Entry<Pattern, String> e : KEYS.entrySet()) {
            if (e.getKey().matcher(path).matches()) {
                return e.getValue();
            }
        }
        return null;
    }

    static void refuse(YamlNode at, String feature) {
        at.keyError("not available in this build (" + feature + ")");
    }

    /** Refuses {@code at} when it is the scalar {@code value}; true when it did. */
    static boolean refused(YamlNode at, String value, String feature) {
        if (at == null || !at.isScalar(value)) {
            return false;
        }
        at.error("'" + value + "' is not available in this build (" + feature + ")");
        return true;
    }
}
