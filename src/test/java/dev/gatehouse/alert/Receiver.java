package dev.gatehouse.alert;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/** A real HTTP webhook on loopback that records what it is posted and answers with the status it is told to. */
final class Receiver implements AutoCloseable {

    record Post(String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    final List<Post> posts = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();

    /** @param status the status to answer the n-th request with (n from 1) */
    Receiver(IntUnaryOperator status) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            int code = status.applyAsInt(requests.incrementAndGet());
            if (code / 100 == 2) {
                posts.add(new Post(ex.getRequestURI().getPath(), ex.getRequestHeaders(), body));
            }
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
