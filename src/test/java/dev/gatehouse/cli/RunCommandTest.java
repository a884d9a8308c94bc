package dev.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.FreePorts;
import dev.gatehouse.demo.DemoBackend;
import dev.gatehouse.proxy.Transport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `gatehouse run` as a real process, with the socket layer named in its environment. */
class RunCommandTest {

    @TempDir
    Path dir;

    @Test
    void runsOnTheTransportItsEnvironmentNames() throws Exception {
        assumeTrue(Transport.Kind.EPOLL.isAvailable(), "epoll is not available here");
        int web = FreePorts.on("127.0.0.1");
        try (DemoBackend backend = DemoBackend.start("127.0.0.1", 0, "be1");
                HttpClient http = HttpClient.newHttpClient()) {
            Path file = config(web, backend.port());
            Process node = start(file, "epoll", dir.resolve("node.log"));
            try {
                HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web + "/")).build();
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> http.send(get, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
                assertThat(Files.readString(dir.resolve("node.log"))).contains("running config version 1 from " + file + " on epoll");
            } finally {
                node.destroyForcibly();
                node.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void refusesATransportItDoesNotKnowAndStartsNothing() throws Exception {
        int web = FreePorts.on("127.0.0.1");
        Path file = config(web, 9);
        Process node = start(file, "kqueue", dir.resolve("node.log"));
        try {
            assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(node.exitValue()).isEqualTo(GatehouseCommand.INVALID);
            assertThat(Files.readString(dir.resolve("node.log")))
                    .contains("gatehouse: " + Transport.KIND_VARIABLE + "=kqueue: expected io_uring, epoll or nio")
                    .doesNotContain("Exception");
        } finally {
            node.destroyForcibly();
        }
    }

    /** One HTTP listener on {@code port} in front of one backend. */
    private Path config(int port, int backendPort) throws Exception {
        Path file = dir.resolve("gatehouse.yaml");
        Files.writeString(file, """
                node: { id: lb1 }
                listeners:
                  - { name: web, bind: "127.0.0.1:%d", routes: [ { pool: web } ] }
                pools:
                  web: { endpoints: [ { address: "127.0.0.1:%d" } ] }
                """.formatted(port, backendPort));
        return file;
    }

    private static Process start(Path file, String transport, Path log) throws Exception {
        ProcessBuilder b = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), "dev.gatehouse.Main", "run", "-c", file.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        b.environment().put(Transport.KIND_VARIABLE, transport);
        return b.start();
    }
}
