package dev.gatehouse.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Paths a config names (secret and token files), relative to the config file's directory. */
final class ConfigPaths {

    private ConfigPaths() {}

    /**
     * {@code name} resolved from {@code baseDir} (as written when that is null), or null after recording at
     * {@code at} that it is no path.
     */
    static Path resolve(YamlNode at, String name, Path baseDir) {
        try {
            return (baseDir == null ? Path.of(name) : baseDir.resolve(name)).normalize();
        } catch (InvalidPathException e) {
            at.error("is not a valid path: " + e.getReason());
            return null;
        }
    }
}
