package dev.gatehouse.config;

/**
 * Values the design reserves for features this build does not have (today {@code mode: active_active}). They are
 * refused as errors, so an operator never runs a config that names a protection nothing provides.
 */
final class Unbuilt {

    private Unbuilt() {}

    /** Refuses {@code at} when it is the scalar {@code value}; true when it did. */
    static boolean refused(YamlNode at, String value, String feature) {
        if (at == null || !at.isScalar(value)) {
            return false;
        }
        at.error("'" + value + "' is not available in this build (" + feature + ")");
        return true;
    }
}
