package dev.gatehouse.proxy.http.h2;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 backend for the HTTP/2 tests: {@code /echo} answers with what it received (method, path, Host, Cookie,
 * X-Forwarded-Proto, how it was framed and the body's length); {@code /bytes/N} with N bytes of a fixed length;
 * {@code /chunked/N} with N bytes, chunked; {@code /slow/MS} with "slow done" after MS milliseconds.
 */
final class EchoBackend implements AutoCloseable {

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    EchoBackend() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 100);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            byte[] received = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getRawPath();
            if (path.startsWith("/slow/")) {
                sleep(Long.parseLong(path.substring("/slow/".length())));
                byte[] body = "slow done\n".getBytes(StandardCharsets.US_ASCII);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                ex.close();
                return;
            }
            if (path.startsWith("/bytes/") || path.startsWith("/chunked/")) {
                int n = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
                ex.sendResponseHeaders(200, path.startsWith("/bytes/") ? n : 0);
                try (OutputStream out = ex.getResponseBody()) {
                    byte[] block = new byte[8192];
                    for (int i = 0; i < block.length; i++) {
                        block[i] = (byte) ('a' + i % 26);
                    }
                    for (int sent = 0; sent < n; sent += block.length) {
                        out.write(block, 0, Math.min(block.length, n - sent));
                    }
                }
                return;
            }
            var h = ex.getRequestHeaders();
            String framing = h.getFirst("Transfer-Encoding") != null ? "chunked"
                    : h.getFirst("Content-Length") != null ? "length" : "none";
            byte[] body = ("method=" + ex.getRequestMethod() + "\npath=" + ex.getRequestURI() + "\nhost=" + h.getFirst("Host")
                    + "\ncookie=" + h.get("Cookie") + "\nproto=" + h.getFirst("X-Forwarded-Proto") + "\nframing=" + framing
                    + "\nbody=" + received.length + "\n").getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Requests received so far. */
    int requests() {
        return requests.get();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
