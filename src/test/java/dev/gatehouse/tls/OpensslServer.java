package dev.gatehouse.tls;

import static org.awaitility.Awaitility.await;

import dev.gatehouse.FreePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An {@code openssl s_server -www} on 127.0.0.1 (a TLS backend that answers any request with an HTTP/1.0 page about
 * the session), started as its own process and stopped by its recorded handle.
 */
final class OpensslServer implements AutoCloseable {

    final int port;
    private final Process process;

    private OpensslServer(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Serves {@code leaf}; {@code more} are further s_server options (e.g. -Verify 1 -CAfile ca.crt for mTLS). */
    static OpensslServer start(Path dir, TestCerts.Leaf leaf, String... more) throws IOException {
        int port = FreePorts.on("127.0.0.1");
        List<String> command = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                "-cert", leaf.cert().toString(), "-key", leaf.key().toString(), "-www", "-quiet"));
        command.addAll(List.of(more));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("s_server-" + port + ".log").toFile()).start();
        OpensslServer server = new OpensslServer(port, p);
        try {
            await().atMost(Duration.ofSeconds(10)).until(server::accepts);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
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
