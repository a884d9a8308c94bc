package dev.gatehouse.tls;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** An HTTP backend that answers each request with the X-Forwarded-Proto it received. */
final class ProtoBackend implements AutoCloseable {

    private final HttpServer server;

    ProtoBackend() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
        server.createContext("/", ex -> {
            byte[] body = ("proto=" + ex.getRequestHeaders().getFirst("X-Forwarded-Proto") + "\n").getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
