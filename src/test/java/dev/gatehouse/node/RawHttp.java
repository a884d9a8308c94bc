package dev.gatehouse.node;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Raw-socket HTTP helpers for tests that must see the exact bytes on the wire. */
final class RawHttp {

    private RawHttp() {}

    /** Reads up to and including the blank line that ends a head. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        int b;
        while (state < 4 && (b = in.read()) >= 0) {
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** Reads a whole response with a Content-Length body (or until close). */
    static String readResponse(InputStream in) throws IOException {
        String head = readHead(in);
        int length = -1;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = length >= 0 ? in.readNBytes(length) : in.readAllBytes();
        return head + new String(body, StandardCharsets.US_ASCII);
    }

    /** A backend that accepts one WebSocket handshake (the RFC 6455 sample key's) with 101, then echoes bytes until the client leaves. */
    static void serveUpgradeEcho(ServerSocket server) {
        try (Socket s = server.accept()) {
            readHead(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.getInputStream().transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
