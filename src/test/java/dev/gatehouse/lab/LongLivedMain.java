package dev.gatehouse.lab;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lab's long-lived client: {@code LongLivedMain HOST PORT CONNECTIONS INTERVAL_MS DURATION_MS} keeps
 * CONNECTIONS HTTP/1.1 keep-alive connections open and sends a GET on each every INTERVAL_MS for DURATION_MS. A
 * connection is <em>broken</em> when a request on it fails (reset, timeout, no or bad answer); one the server closes
 * after a whole answer that said {@code Connection: close}, or before a byte of the next answer (an idle keep-alive
 * connection it ended), ended gracefully and is opened again (the request sent again on it). Prints
 * {@code ready} once every connection answered once, {@code broken at NANOS ...} for each failure as it happens, then
 * {@code summary requests=R broken=B closed=C} and {@code done}.
 */
public final class LongLivedMain {

    private static final int TIMEOUT_MILLIS = 2000;

    private LongLivedMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 5) {
            System.err.println("usage: LongLivedMain HOST PORT CONNECTIONS INTERVAL_MS DURATION_MS");
            System.exit(2);
        }
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int connections = Integer.parseInt(args[2]);
        long interval = Long.parseLong(args[3]);
        long end = System.nanoTime() + Long.parseLong(args[4]) * 1_000_000;
        AtomicLong requests = new AtomicLong();
        AtomicLong broken = new AtomicLong();
        AtomicLong closed = new AtomicLong();
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(connections);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                boolean first = true;
                Socket socket = null;
                while (System.nanoTime() < end) {
                    try {
                        if (socket == null) {
                            socket = new Socket();
                            socket.connect(server, TIMEOUT_MILLIS);
                            socket.setSoTimeout(TIMEOUT_MILLIS);
                        }
                        boolean keep = exchange(socket, args[0]);
                        requests.incrementAndGet();
                        if (!keep) {
                            closed.incrementAndGet();
                            socket.close();
                            socket = null;
                        }
                    } catch (ClosedWhileIdle e) {
                        // closed before this request was read (an idle keep-alive connection the server ended, as a
                        // draining one does): every HTTP client sends it again on a new connection
                        closed.incrementAndGet();
                        close(socket);
                        socket = null;
                        continue;
                    } catch (IOException e) {
                        broken.incrementAndGet();
                        System.out.println("broken at " + System.nanoTime() + " " + socket + " " + e);
                        close(socket);
                        socket = null;
                    }
                    if (first) {
                        first = false;
                        ready.countDown();
                    }
                    try {
                        Thread.sleep(interval);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                close(socket);
            }));
        }
        ready.await();
        System.out.println("ready");
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("summary requests=" + requests + " broken=" + broken + " closed=" + closed);
        System.out.println("done");
    }

    /** One GET and its whole answer; whether the connection stays open. */
    private static boolean exchange(Socket socket, String host) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = new BufferedInputStream(socket.getInputStream());
        int first = in.read();
        if (first < 0) {
            throw new ClosedWhileIdle();
        }
        String status = (char) first + line(in);
        if (!status.startsWith("HTTP/1.1 200")) {
            throw new IOException("answer '" + status + "'");
        }
        long length = -1;
        boolean keep = true;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            String lower = header.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).strip());
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                keep = false;
            }
        }
        if (length < 0) {
            throw new IOException("no content-length");
        }
        in.skipNBytes(length);
        return keep;
    }

    /** The server closed the connection before it answered a byte: the request was not taken. */
    private static final class ClosedWhileIdle extends IOException {
        ClosedWhileIdle() {
            super("closed while idle");
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("closed mid-answer");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private static void close(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken socket: nothing to do
            }
        }
    }
}
