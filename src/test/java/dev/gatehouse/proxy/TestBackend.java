package dev.gatehouse.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A blocking backend on 127.0.0.1, port 0: one virtual thread per connection runs the handler. */
public final class TestBackend implements AutoCloseable {

    @FunctionalInterface
    public interface Handler {
        void handle(Socket socket) throws IOException;
    }

    /** Echoes until the peer's FIN, then sends its own. */
    public static final Handler ECHO = s -> {
        s.getInputStream().transferTo(s.getOutputStream());
        s.shutdownOutput();
    };

    /** 127.0.0.1 whatever the resolver prefers for "localhost". */
    public static final InetAddress LOOPBACK = loopback();

    private final ServerSocket server;
    private final Handler handler;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private TestBackend(Handler handler) throws IOException {
        this.server = new ServerSocket(0, 50, LOOPBACK);
        this.handler = handler;
        Thread.ofVirtual().name("backend-" + server.getLocalPort()).start(this::acceptLoop);
    }

    public static TestBackend start(Handler handler) {
        try {
            return new TestBackend(handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections whose handler has returned (or failed) and which are closed. */
    public int finished() {
        return finished.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                open.add(s);
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            handler.handle(s);
        } catch (IOException peerGone) {
            // the proxy closed or reset the connection; tests look at what arrived
        } finally {
            open.remove(s);
            finished.incrementAndGet();
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
