package dev.gatehouse.node;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real headless Chromium showing one page, driven over the DevTools protocol: evaluate a script in the page, take
 * a screenshot. Its own profile in a temp dir, its DevTools port picked by Chromium and bound to loopback; closed by
 * its recorded process (and that process's children), then the profile is deleted.
 */
final class Chromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private WebSocket socket;

    private Chromium(Process process, Path profile) {
        this.process = process;
        this.profile = profile;
    }

    /** Starts {@code executable} on {@code url}; its log goes to {@code dir}/chromium.log. */
    static Chromium open(Path executable, Path dir, String url) throws Exception {
        Path profile = Files.createTempDirectory(dir, "chromium-profile-");
        Process p = new ProcessBuilder(executable.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--user-data-dir=" + profile,
                "--no-first-run", "--disable-extensions", "--disable-background-networking", "--hide-scrollbars",
                "--window-size=1280,1500", url)
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        Chromium browser = new Chromium(p, profile);
        try {
            browser.connect();
            return browser;
        } catch (Exception | Error e) {
            browser.close();
            throw e;
        }
    }

    long pid() {
        return process.pid();
    }

    private void connect() throws Exception {
        // Chromium writes the port it took into the profile once it listens
        Path active = profile.resolve("DevToolsActivePort");
        await().atMost(Duration.ofSeconds(30)).until(() -> !process.isAlive()
                || Files.exists(active) && !Files.readAllLines(active).isEmpty());
        if (!process.isAlive()) {
            throw new IllegalStateException("chromium exited with " + process.exitValue() + " (see chromium.log)");
        }
        int port = Integer.parseInt(Files.readAllLines(active).getFirst().strip());
        String[] page = new String[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode t : targets) {
                if (t.path("type").asText().equals("page")) {
                    page[0] = t.path("webSocketDebuggerUrl").asText();
                }
            }
            return page[0] != null;
        });
        socket = http.newWebSocketBuilder().buildAsync(URI.create(page[0]), new Replies()).get(30, TimeUnit.SECONDS);
    }

    /** Gathers each reply's frames and completes the call it answers. */
    private final class Replies implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    JsonNode reply = JSON.readTree(text.toString());
                    CompletableFuture<JsonNode> call = reply.has("id") ? pending.remove(reply.get("id").asInt()) : null;
                    if (call != null) {
                        call.complete(reply);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    text.setLength(0);
                }
            }
            ws.request(1);
            return null;
        }
    }

    /** Calls a DevTools method and returns its {@code result}; fails with the protocol's error. */
    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(JSON.writeValueAsString(Map.of("id", id, "method", method, "params", params)), true);
        JsonNode answer = reply.get(20, TimeUnit.SECONDS);
        if (answer.has("error")) {
            throw new IllegalStateException(method + ": " + answer.get("error"));
        }
        return answer.get("result");
    }

    /** The value of a script evaluated in the page (JSON-able values only). */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode result = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("script failed: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** Saves the page as it is drawn now, as PNG. */
    void screenshot(Path file) throws Exception {
        String png = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true)).get("data").asText();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(png));
    }

    @Override
    public void close() throws Exception {
        if (socket != null) {
            socket.abort();
        }
        http.close();
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle child : children) {
            child.destroyForcibly(); // each by the handle taken above; most are gone with their parent already
        }
        try (Stream<Path> files = Files.walk(profile)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
