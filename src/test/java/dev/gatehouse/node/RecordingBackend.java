package dev.gatehouse.node;

import dev.gatehouse.proxy.TestBackend;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw HTTP/1.1 backend that records every request exactly as it arrived (head and body) and answers each with
 * {@code 200 ok}, keeping the connection: what a test asserts the proxy forwarded, byte for byte. It frames a body
 * only by an exact {@code Transfer-Encoding: chunked} or a Content-Length, as the strictest backend would.
 */
final class RecordingBackend implements AutoCloseable {

    static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    final List<String> requests = new CopyOnWriteArrayList<>();
    private final TestBackend backend = TestBackend.start(this::serve);

    int port() {
        return backend.address().getPort();
    }

    /** Connections the proxy opened to this backend. */
    int connections() {
        return backend.accepted();
    }

    private void serve(java.net.Socket s) throws IOException {
        InputStream in = new BufferedInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        while (true) {
            String head = RawHttp.readHead(in);
            if (!head.endsWith("\r\n\r\n")) {
                return;
            }
            String lower = head.toLowerCase(Locale.ROOT);
            String body = lower.contains("\r\ntransfer-encoding: chunked\r\n") ? chunked(in) : fixed(in, lower);
            requests.add(head + body);
            out.write(OK.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    private static String fixed(InputStream in, String lowerHead) throws IOException {
        int at = lowerHead.indexOf("\r\ncontent-length: ");
        if (at < 0) {
            return "";
        }
        int length = Integer.parseInt(lowerHead.substring(at + 18, lowerHead.indexOf('\r', at + 2)).trim());
        return new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    private static String chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String line = line(in);
            body.writeBytes((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            int size = Integer.parseInt(line.split(";")[0].trim(), 16);
            if (size == 0) {
                String trailer;
                while (!(trailer = line(in)).isEmpty()) {
                    body.writeBytes((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                body.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                return body.toString(StandardCharsets.ISO_8859_1);
            }
            body.writeBytes(in.readNBytes(size + 2));
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public void close() throws IOException {
        backend.close();
    }
}
