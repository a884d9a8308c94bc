package dev.gatehouse.cli;

import dev.gatehouse.demo.DemoBackend;
import dev.gatehouse.node.Node;
import dev.gatehouse.time.Ticker;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A short, self-contained workload for the JVM's ahead-of-time cache: bin/gatehouse runs it once per build with
 * {@code -XX:AOTCacheOutput}, so that later starts find the classes of start-up and of the first requests already
 * loaded and linked, with profiles for the hot paths. A node with an HTTP and a TCP listener and an admin API in
 * front of a demo backend, all on loopback ports the kernel picks; it exits 0 when every answer was right.
 */
@Command(name = "aot-train", hidden = true, description = "Exercise start-up and the proxy paths once (for the AOT cache).")
final class TrainCommand implements Callable<Integer> {

    private static final String CONFIG = """
            node: { id: train, admin: "127.0.0.1:0" }
            listeners:
              - { name: web, bind: "127.0.0.1:0", protocol: http, routes: [ { pool: backend } ] }
              - { name: raw, bind: "127.0.0.1:0", protocol: tcp, pool: backend }
            pools:
              backend:
                endpoints: [ { address: "127.0.0.1:%d" } ]
                health: { type: http, path: /healthz, interval: 200ms, timeout: 100ms }
            """;
    private static final byte[] GET = "GET / HTTP/1.1\r\nHost: train\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GET_CLOSE = "GET / HTTP/1.1\r\nHost: train\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    @Option(names = "--requests", defaultValue = "3000", description = "keep-alive requests to send (default ${DEFAULT-VALUE})")
    int requests;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("gatehouse-train");
        Path file = dir.resolve("train.yaml");
        try (DemoBackend backend = DemoBackend.start("127.0.0.1", 0, "train")) {
            Files.writeString(file, CONFIG.formatted(backend.port()));
            Node node = Node.start(file, Ticker.system());
            try {
                InetSocketAddress web = node.listenerAddress("web");
                try (Socket s = new Socket(web.getAddress(), web.getPort())) {
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    for (int i = 0; i < requests; i++) {
                        exchange(s.getOutputStream(), in, GET);
                    }
                }
                for (int i = 0; i < requests / 20; i++) {
                    try (Socket s = new Socket(web.getAddress(), web.getPort())) {
                        exchange(s.getOutputStream(), new BufferedInputStream(s.getInputStream()), GET_CLOSE);
                    }
                }
                InetSocketAddress raw = node.listenerAddress("raw");
                try (Socket s = new Socket(raw.getAddress(), raw.getPort())) {
                    exchange(s.getOutputStream(), new BufferedInputStream(s.getInputStream()), GET_CLOSE);
                }
                InetSocketAddress admin = node.adminAddress();
                try (Socket s = new Socket(admin.getAddress(), admin.getPort())) {
                    s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: train\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    if (!new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200")) {
                        throw new IOException("the admin API did not answer 200");
                    }
                }
            } finally {
                node.shutdown(Duration.ofSeconds(1));
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        return 0;
    }

    /** Sends one request and reads its whole response (the demo backend answers with a Content-Length). */
    private static void exchange(OutputStream out, InputStream in, byte[] request) throws IOException {
        out.write(request);
        out.flush();
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before a response head");
            }
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 200")) {
            throw new IOException("expected 200, got " + head.substring(0, head.indexOf("\r")));
        }
        int at = head.toString().toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
        if (at < 0) {
            throw new IOException("response without Content-Length");
        }
        int length = Integer.parseInt(head.substring(at + 15, head.indexOf("\r", at)).trim());
        in.readNBytes(length);
    }
}
