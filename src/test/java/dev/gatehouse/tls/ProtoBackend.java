package dev.gatehouse.tls;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.node.TestNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** An HTTP backend that answers each request with the X-Forwarded-Proto it received, and any X-Client-Cert-Subject. */
final class ProtoBackend implements AutoCloseable {

    private final HttpServer server;

    ProtoBackend() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
        server.createContext("/", ex -> {
            String subject = ex.getRequestHeaders().getFirst("X-Client-Cert-Subject");
            byte[] body = ("proto=" + ex.getRequestHeaders().getFirst("X-Forwarded-Proto") + "\n"
                    + (subject == null ? "" : "subject=" + subject + "\n")).getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** A node in {@code dir} whose one listener, web, has {@code tls} (a flow mapping) and proxies to this backend. */
    TestNode nodeInFront(Path dir, String tls) throws Exception {
        return TestNode.start(dir, 0, config(tls, address()));
    }

    /** A node's config: listener web with {@code tls} (at line 5) routes everything to pool web at {@code backend}. */
    static String config(String tls, String backend) {
        return """
                node: { id: lb1 }
                listeners:
                  - name: web
                    bind: 127.0.0.1:0
                    tls: TLS
                    routes: [ { pool: web } ]
                pools:
                  web: { endpoints: [ { address: "BACKEND" } ] }
                """.replace("TLS", tls).replace("BACKEND", backend);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
