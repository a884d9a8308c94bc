package dev.gatehouse.alert;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.FreePorts;
import dev.gatehouse.Tools;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Alertmanager (Debian prometheus-alertmanager) run by the test as its own process: a config and storage
 * in the test's directory, the API on a free loopback port, no cluster gossip.
 */
public final class Alertmanager implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();

    private Alertmanager(Process process, String base) {
        this.process = process;
        this.base = base;
    }

    public static Alertmanager start(Path dir) throws IOException {
        Path binary = Tools.require("/usr/bin/prometheus-alertmanager", "prometheus-alertmanager");
        Path config = dir.resolve("alertmanager.yml");
        Files.writeString(config, """
                route: { receiver: nobody, group_wait: 1s }
                receivers: [ { name: nobody } ]
                """);
        int port = FreePorts.on("127.0.0.1");
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.path=" + dir.resolve("alertmanager-data"), "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=")
                .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
        Alertmanager am = new Alertmanager(process, "http://127.0.0.1:" + port);
        try {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> am.get("/-/ready").statusCode() == 200);
        } catch (RuntimeException e) {
            am.close();
            throw e;
        }
        return am;
    }

    /** The URL to give Gatehouse as {@code url:} of an alertmanager webhook. */
    public String url() {
        return base;
    }

    /** Alertmanager's {@code GET /api/v2/alerts}: the alerts it holds as active now. */
    public List<JsonNode> alerts() throws IOException, InterruptedException {
        List<JsonNode> alerts = new ArrayList<>();
        JSON.readTree(get("/api/v2/alerts").body()).forEach(alerts::add);
        return alerts;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        http.close();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
