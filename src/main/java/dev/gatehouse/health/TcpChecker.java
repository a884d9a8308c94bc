package dev.gatehouse.health;

import dev.gatehouse.pool.Endpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Passes when a TCP connect to the endpoint completes within the timeout (and, for a pool with TLS, a handshake the
 * pool's trust accepts); the socket is closed at once (after the PROXY header, when the pool sends one).
 */
final class TcpChecker implements ActiveChecker {

    private final int timeoutMillis;
    /** Written first on every check connection (a PROXY v2 header); null for none. */
    private final byte[] preamble;
    /** Null: no handshake. */
    private final Tls tls;

    TcpChecker(int timeoutMillis, byte[] preamble, Tls tls) {
        this.timeoutMillis = timeoutMillis;
        this.preamble = preamble;
        this.tls = tls;
    }

    @Override
    public CheckResult check(Endpoint endpoint) {
        String step = "connect";
        try (Socket plain = connect(endpoint, timeoutMillis, preamble)) {
            if (tls == null) {
                return CheckResult.pass("connected");
            }
            step = "tls";
            handshake(tls, plain, endpoint, null, timeoutMillis).close();
            return CheckResult.pass("tls handshake done");
        } catch (IOException e) {
            return CheckResult.fail(describe(step, e, timeoutMillis));
        }
    }

    /** {@code plain} after a TLS handshake bounded by the timeout; throws saying why it failed. */
    static Socket handshake(Tls tls, Socket plain, Endpoint endpoint, String host, int timeoutMillis) throws IOException {
        plain.setSoTimeout(timeoutMillis);
        return tls.handshake(plain, endpoint, host);
    }

    /**
     * A connected socket that has sent {@code preamble} (when not null); a name that did not resolve when the endpoint
     * was built is resolved again.
     */
    static Socket connect(Endpoint endpoint, int timeoutMillis, byte[] preamble) throws IOException {
        InetSocketAddress address = endpoint.socketAddress();
        if (address.isUnresolved()) {
            address = new InetSocketAddress(address.getHostString(), address.getPort());
        }
        Socket socket = new Socket();
        try {
            socket.connect(address, timeoutMillis);
            if (preamble != null) {
                socket.getOutputStream().write(preamble);
            }
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    static String describe(String step, IOException e, int timeoutMillis) {
        if (e instanceof SocketTimeoutException) {
            return step + ": timed out after " + timeoutMillis + " ms";
        }
        return step + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
}
