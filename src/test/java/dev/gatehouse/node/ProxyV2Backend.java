package dev.gatehouse.node;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP backend that requires a PROXY protocol v2 header on every connection, as a server configured for it
 * does: a connection that does not start with a valid one (read by Netty's decoder) is closed unanswered. Answers
 * every request {@code 200 ok} and remembers each header's command and source.
 */
final class ProxyV2Backend implements AutoCloseable {

    /** What one connection's header said: LOCAL (no addresses) or PROXY with the client's address and port. */
    record Header(HAProxyCommand command, String source, int sourcePort) {}

    private static final int FIXED = 16;
    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private final ServerSocket server;
    final Queue<Header> headers = new ConcurrentLinkedQueue<>();
    final AtomicInteger refused = new AtomicInteger();

    ProxyV2Backend() throws IOException {
        server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Connections served or refused so far. */
    int connections() {
        return headers.size() + refused.get();
    }

    long count(HAProxyCommand command) {
        return headers.stream().filter(h -> h.command() == command).count();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(5000);
            InputStream in = socket.getInputStream();
            Header header = readHeader(in);
            if (header == null) {
                refused.incrementAndGet();
                return;
            }
            headers.add(header);
            if (RawHttp.readHead(in).isEmpty()) {
                return; // a TCP check: the header, then the close
            }
            socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".getBytes(US_ASCII));
        } catch (IOException gone) {
            // the peer went away; nothing to answer
        }
    }

    /** The header Netty's decoder reads from the first bytes; null when they are not one. */
    private static Header readHeader(InputStream in) throws IOException {
        byte[] fixed = in.readNBytes(FIXED);
        if (fixed.length < FIXED || !Arrays.equals(fixed, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
            return null;
        }
        byte[] rest = in.readNBytes((fixed[14] & 0xff) << 8 | fixed[15] & 0xff);
        EmbeddedChannel decoder = new EmbeddedChannel(new HAProxyMessageDecoder());
        try {
            decoder.writeInbound(Unpooled.wrappedBuffer(fixed, rest));
            HAProxyMessage message = decoder.readInbound();
            if (message == null) {
                return null;
            }
            try {
                return new Header(message.command(), message.sourceAddress(), message.sourcePort());
            } finally {
                message.release();
            }
        } catch (RuntimeException invalid) {
            return null;
        } finally {
            decoder.finishAndReleaseAll();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
