package dev.gatehouse.tls;

import static org.awaitility.Awaitility.await;

import dev.gatehouse.FreePorts;
import dev.gatehouse.Tools;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A TLS backend on 127.0.0.1 run as its own process, stopped by its recorded handle: {@code openssl s_server -www}
 * (answers any request with an HTTP/1.0 page about the session, then closes) or nginx with keep-alive (answers
 * {@code $connection $connection_requests}, so a test sees whether its requests shared a connection).
 */
final class TlsBackend implements AutoCloseable {

    final int port;
    private final Process process;

    private TlsBackend(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** s_server serving {@code leaf}; {@code more} are further options (e.g. -Verify 1 -CAfile ca.crt for mTLS). */
    static TlsBackend openssl(Path dir, TestCerts.Leaf leaf, String... more) throws IOException {
        int port = FreePorts.on("127.0.0.1");
        List<String> command = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                "-cert", leaf.cert().toString(), "-key", leaf.key().toString(), "-www", "-quiet"));
        command.addAll(List.of(more));
        return start(port, new ProcessBuilder(command), dir.resolve("s_server-" + port + ".log"));
    }

    /** nginx (master only, in the foreground) serving {@code leaf} from a config in {@code dir}/nginx. */
    static TlsBackend nginx(Path dir, TestCerts.Leaf leaf) throws IOException {
        Path nginx = Tools.require("nginx", "nginx");
        Path home = Files.createDirectories(dir.resolve("nginx"));
        int port = FreePorts.on("127.0.0.1");
        Files.writeString(home.resolve("nginx.conf"), """
                worker_processes 1;
                daemon off;
                master_process off;
                pid DIR/nginx.pid;
                error_log DIR/error.log warn;
                events { worker_connections 64; }
                http {
                    access_log off;
                    client_body_temp_path DIR/client_body;
                    proxy_temp_path DIR/proxy;
                    fastcgi_temp_path DIR/fastcgi;
                    uwsgi_temp_path DIR/uwsgi;
                    scgi_temp_path DIR/scgi;
                    keepalive_timeout 60s;
                    server {
                        listen 127.0.0.1:PORT ssl;
                        ssl_certificate CERT;
                        ssl_certificate_key KEY;
                        location / { return 200 "$connection $connection_requests\\n"; }
                    }
                }
                """.replace("DIR", home.toString()).replace("PORT", Integer.toString(port))
                .replace("CERT", leaf.cert().toString()).replace("KEY", leaf.key().toString()));
        return start(port, new ProcessBuilder(nginx.toString(), "-p", home.toString(), "-e", home.resolve("error.log").toString(),
                "-c", home.resolve("nginx.conf").toString()), home.resolve("stdout.log"));
    }

    private static TlsBackend start(int port, ProcessBuilder command, Path log) throws IOException {
        TlsBackend backend = new TlsBackend(port, command.redirectErrorStream(true).redirectOutput(log.toFile()).start());
        try {
            await().atMost(Duration.ofSeconds(10)).until(backend::accepts);
        } catch (RuntimeException e) {
            backend.close();
            throw new IllegalStateException(String.join(" ", command.command()) + " did not start: " + Files.readString(log), e);
        }
        return backend;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
