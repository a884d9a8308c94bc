package dev.gatehouse.health;

import dev.gatehouse.pool.Endpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** Passes when a TCP connect to the endpoint completes within the timeout; the socket is closed at once. */
final class TcpChecker implements ActiveChecker {

    private final int timeoutMillis;

    TcpChecker(int timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public CheckResult check(Endpoint endpoint) {
        try {
            connect(endpoint, timeoutMillis).close();
            return CheckResult.pass("connected");
        } catch (IOException e) {
            return CheckResult.fail(describe("connect", e, timeoutMillis));
        }
    }

    /** A connected socket; a name that did not resolve when the endpoint was built is resolved again. */
    static Socket connect(Endpoint endpoint, int timeoutMillis) throws IOException {
        InetSocketAddress address = endpoint.socketAddress();
        if (address.isUnresolved()) {
            address = new InetSocketAddress(address.getHostString(), address.getPort());
        }
        Socket socket = new Socket();
        try {
            socket.connect(address, timeoutMillis);
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
