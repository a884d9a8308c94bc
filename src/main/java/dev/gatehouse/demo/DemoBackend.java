package dev.gatehouse.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP backend for the demo and for tests: answers {@code hello from NAME} (header
 * {@code X-Backend: NAME}), {@code /healthz} with 200 (or 503 once {@link #failHealth} is set), and
 * {@code /slow?ms=N} after N milliseconds, {@code /bytes?n=N} with N zero bytes. Request bodies are read and their length echoed.
 */
public final class DemoBackend implements AutoCloseable {

    private final String name;
    private final HttpServer server;
    private final AtomicBoolean healthFailing = new AtomicBoolean();
    private final AtomicLong requests = new AtomicLong();

    private DemoBackend(String name, HttpServer server) {
        this.name = name;
        this.server = server;
    }

    public static DemoBackend start(String host, int port, String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        DemoBackend backend = new DemoBackend(name, server);
        server.createContext("/", backend::handle);
        server.start();
        return backend;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String name() {
        return name;
    }

    /** Requests served other than health checks. */
    public long requests() {
        return requests.get();
    }

    /** Makes {@code /healthz} answer 503 (true) or 200 (false). */
    public void failHealth(boolean failing) {
        healthFailing.set(failing);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex; InputStream in = ex.getRequestBody()) {
            long received = in.transferTo(java.io.OutputStream.nullOutputStream());
            String path = ex.getRequestURI().getPath();
            if (path.equals("/healthz")) {
                reply(ex, healthFailing.get() ? 503 : 200, healthFailing.get() ? "failing\n" : "ok\n");
                return;
            }
            requests.incrementAndGet();
            if (path.equals("/bytes")) {
                streamZeros(ex, Long.parseLong(ex.getRequestURI().getQuery().substring(2)));
                return;
            }
            if (path.equals("/slow")) {
                String q = ex.getRequestURI().getQuery();
                long ms = q != null && q.startsWith("ms=") ? Long.parseLong(q.substring(3)) : 1000;
                try {
                    Thread.sleep(ms);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String xff = ex.getRequestHeaders().getFirst("X-Forwarded-For");
            reply(ex, 200, "hello from " + name + " path=" + path + " received=" + received + (xff == null ? "" : " xff=" + xff) + "\n");
        }
    }

    /** {@code /bytes?n=N}: N zero bytes, streamed in 64 KiB writes (chunked). */
    private void streamZeros(HttpExchange ex, long n) throws IOException {
        ex.getResponseHeaders().set("X-Backend", name);
        ex.sendResponseHeaders(200, 0);
        byte[] block = new byte[64 * 1024];
        try (var out = ex.getResponseBody()) {
            for (long left = n; left > 0; left -= block.length) {
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        }
    }

    private void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("X-Backend", name);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
