package dev.gatehouse.config;

import java.io.IOException;
import java.nio.file.Files;
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

    /** A small file read whole, and where it was. */
    record FileText(Path file, String text) {}

    /**
     * The file {@code name} (resolved as {@link #resolve} does) read whole, or null after recording at {@code at} why
     * it cannot be: for the small files that hold a secret (tokens, keys).
     */
    static FileText readText(YamlNode at, String name, Path baseDir) {
        Path file = resolve(at, name, baseDir);
        if (file == null) {
            return null;
        }
        try {
            return new FileText(file, Files.readString(file, java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.nio.file.NoSuchFileException e) {
            at.error("cannot read " + file + ": no such file (a relative path is resolved from the config file's directory)");
        } catch (IOException e) {
            at.error("cannot read " + file + ": " + e.getMessage());
        }
        return null;
    }

    /**
     * {@code name} resolved as {@link #resolve} does; unless {@code baseDir} is null (validation that must not depend
     * on the machine), an error at {@code at} when it is not a readable, non-empty file.
     */
    static Path readableFile(YamlNode at, String name, Path baseDir) {
        Path file = resolve(at, name, baseDir);
        if (file == null || baseDir == null) {
            return file;
        }
        try {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                at.error("cannot read " + file + " (a relative path is resolved from the config file's directory)");
            } else if (Files.size(file) == 0) {
                at.error(file + " is empty");
            }
        } catch (IOException e) {
            at.error("cannot read " + file + ": " + e.getMessage());
        }
        return file;
    }
}
