package dev.gatehouse.health;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A tiny HTTP/1.1 backend on 127.0.0.1, port 0: answers every request with the current status, or
 * with nothing at all when the status is 0 (to make a check time out). Remembers the last request head.
 */
final class StubHttpBackend implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private volatile int status;
    private volatile String lastRequest;

    StubHttpBackend(int status) throws IOException {
        this.status = status;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    void status(int next) {
        status = next;
    }

    String lastRequest() {
        return lastRequest;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                threads.execute(() -> answer(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void answer(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0) {
                head.append((char) b);
                if (head.toString().endsWith("\r\n\r\n")) {
                    break;
                }
            }
            lastRequest = head.toString();
            int now = status;
            if (now == 0) {
                in.read(); // hold the connection open until the client gives up
                return;
            }
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 " + now + " Stub\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException gone) {
            // the client hung up; nothing to answer
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
