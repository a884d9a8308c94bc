package dev.gatehouse.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Test nodes started in a directory of their own and closed after each test, newest first; the directory is
 * deleted then too. Register with {@code @RegisterExtension final TestNodes nodes = new TestNodes();}.
 */
final class TestNodes implements BeforeEachCallback, AfterEachCallback {

    private final List<TestNode> started = new ArrayList<>();
    private Path dir;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("gatehouse-node-test");
    }

    /** This test's directory, where the nodes' config files are (and files they name, such as token files). */
    Path dir() {
        return dir;
    }

    /** {@link TestNode#start} in this test's directory. */
    TestNode start(int backendCount, String yaml) throws Exception {
        TestNode node = TestNode.start(dir, backendCount, yaml);
        started.add(node);
        return node;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        for (TestNode node : started.reversed()) {
            node.close();
        }
        started.clear();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(TestNodes::delete);
        }
    }

    private static void delete(Path path) {
        try {
            Files.delete(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
