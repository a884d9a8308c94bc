package dev.gatehouse.health;

import dev.gatehouse.config.HealthConfig;
import dev.gatehouse.pool.Endpoint;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends {@code GET path HTTP/1.1} with {@code Connection: close} (after the pool's PROXY header, if it
 * sends one) and passes when the status line arrives with a status inside the expected range. The
 * connect and every read are each bounded by the timeout; only the status line is read, then the
 * connection is closed.
 */
final class HttpChecker implements ActiveChecker {

    /** A status line longer than this is not one a health endpoint sends. */
    private static final int MAX_STATUS_LINE = 512;

    private final String path;
    private final String host;
    private final int expectLow;
    private final int expectHigh;
    private final int timeoutMillis;
    /** Written first on every check connection (a PROXY v2 header); null for none. */
    private final byte[] preamble;
    /** Wraps each connection in TLS; null for plain HTTP. */
    private final Tls tls;

    HttpChecker(HealthConfig config, int timeoutMillis, byte[] preamble, Tls tls) {
        this.path = config.path() == null ? "/" : config.path();
        if (!path.startsWith("/") || containsAny(path, " \r\n")) {
            throw new IllegalArgumentException("health.path must start with / and hold no spaces or line breaks, got '" + path + "'");
        }
        if (config.host() != null && (config.host().isBlank() || containsAny(config.host(), " \r\n"))) {
            throw new IllegalArgumentException("health.host must be a host name, got '" + config.host() + "'");
        }
        if (config.expectLow() < 100 || config.expectHigh() > 599 || config.expectLow() > config.expectHigh()) {
            throw new IllegalArgumentException("health.expect_status must be a range within 100-599, got "
                    + config.expectLow() + "-" + config.expectHigh());
        }
        this.host = config.host();
        this.expectLow = config.expectLow();
        this.expectHigh = config.expectHigh();
        this.timeoutMillis = timeoutMillis;
        this.preamble = preamble;
        this.tls = tls;
    }

    @Override
    public CheckResult check(Endpoint endpoint) {
        String step = "connect";
        try (Socket plain = TcpChecker.connect(endpoint, timeoutMillis, preamble)) {
            step = "tls";
            Socket socket = tls == null ? plain : TcpChecker.handshake(tls, plain, endpoint, host, timeoutMillis);
            try (socket) {
                step = "response";
                socket.setSoTimeout(timeoutMillis);
                socket.getOutputStream().write(request(endpoint));
                return judge(readStatusLine(new BufferedInputStream(socket.getInputStream(), MAX_STATUS_LINE)));
            }
        } catch (IOException e) {
            return CheckResult.fail(TcpChecker.describe(step, e, timeoutMillis));
        }
    }

    private byte[] request(Endpoint endpoint) {
        String hostHeader = host != null ? host : endpoint.address();
        return ("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader
                + "\r\nConnection: close\r\nUser-Agent: gatehouse-health\r\nAccept: */*\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** The bytes up to the first line feed; null when the peer closed first or the line is too long. */
    private static String readStatusLine(InputStream in) throws IOException {
        byte[] line = new byte[MAX_STATUS_LINE];
        int length = 0;
        while (length < line.length) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (b == '\n') {
                return new String(line, 0, length, StandardCharsets.US_ASCII).strip();
            }
            line[length++] = (byte) b;
        }
        return null;
    }

    private CheckResult judge(String statusLine) {
        int status = statusOf(statusLine);
        if (status < 0) {
            return CheckResult.fail(statusLine == null ? "response: no status line" : "response: malformed status line");
        }
        if (status < expectLow || status > expectHigh) {
            return CheckResult.fail("HTTP " + status + " (expected " + expectLow + "-" + expectHigh + ")");
        }
        return CheckResult.pass("HTTP " + status);
    }

    /** The status of {@code HTTP/1.x NNN ...}, or -1. */
    static int statusOf(String statusLine) {
        if (statusLine == null || statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.") || statusLine.charAt(8) != ' ') {
            return -1;
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char c = statusLine.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            status = status * 10 + (c - '0');
        }
        return statusLine.length() == 12 || statusLine.charAt(12) == ' ' ? status : -1;
    }

    private static boolean containsAny(String s, String chars) {
        for (int i = 0; i < chars.length(); i++) {
            if (s.indexOf(chars.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }
}
