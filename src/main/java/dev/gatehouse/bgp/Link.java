package dev.gatehouse.bgp;

import java.net.InetAddress;

/**
 * The transport a {@link Session} drives: one TCP connection to its peer at a time. Calls come from the session's
 * thread; the link answers with {@link Session#connected}, {@link Session#connectFailed}, {@link Session#received},
 * {@link Session#malformed} and {@link Session#closed} on the same thread.
 */
interface Link {

    /** Opens a TCP connection to the peer. */
    void connect();

    /** Queues {@code message} on the open connection. */
    void send(BgpMessage message);

    /** Closes the connection once what was sent is flushed; nothing more is reported for it. */
    void close();

    /** This end's address on the open connection (the next hop this speaker announces). */
    InetAddress localAddress();
}
