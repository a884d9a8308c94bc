package dev.gatehouse.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Parses config text as if it were {@code DIR/gh.yaml} next to a {@code cluster.key}, and reports errors as
 * "gh.yaml:...". A test class registers one ({@code @RegisterExtension}); each test gets a fresh directory.
 */
final class ConfigFixture implements BeforeEachCallback, AfterEachCallback {

    static final String FILE = "gh.yaml";

    private Path dir;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("gatehouse-config-test");
        Files.writeString(dir.resolve("cluster.key"), "0123456789abcdef0123456789abcdef\n");
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** This test's directory: the config file's, where relative paths in it point. */
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
