package dev.gatehouse.config;

/**
 * One problem found in a config, pointing at the line and key path of the offending key or value.
 *
 * @param line 1-based; 0 when the problem concerns the file as a whole (it cannot be read)
 * @param path dotted key path such as {@code pools.web.endpoints[1].weight}; empty when not about one key
 */
public record ConfigError(String file, int line, String path, String message) {

    /** {@code FILE:LINE key.path: why}, the form {@code gatehouse check} prints. */
    @Override
    public String toString() {
        String where = line > 0 ? file + ":" + line : file;
        return path.isEmpty() ? where + ": " + message : where + " " + path + ": " + message;
    }
}
