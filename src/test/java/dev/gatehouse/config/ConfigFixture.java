package dev.gatehouse.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Parses config text as if it were {@code DIR/gh.yaml} next to a {@code cluster.key}, and reports errors as "gh.yaml:...". */
final class ConfigFixture {

    static final String FILE = "gh.yaml";

    private final Path dir;

    ConfigFixture(Path dir) {
        this.dir = dir;
        try {
            Files.writeString(dir.resolve("cluster.key"), "0123456789abcdef0123456789abcdef\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path dir() {
        return dir;
    }

    ConfigResult parse(String yaml) {
        return ConfigLoader.parse(yaml, dir.resolve(FILE).toString());
    }

    /** The errors as {@code gatehouse check} prints them, with the file shown as gh.yaml. */
    List<String> errors(String yaml) {
        return relabel(parse(yaml));
    }

    static List<String> relabel(ConfigResult result) {
        return result.errors().stream()
                .map(e -> new ConfigError(FILE, e.line(), e.path(), e.message()).toString())
                .toList();
    }

    static String resource(String name) {
        try (var in = ConfigFixture.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
