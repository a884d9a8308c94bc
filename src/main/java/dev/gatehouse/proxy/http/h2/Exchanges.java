package dev.gatehouse.proxy.http.h2;

import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.limit.ClientState;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;

/** What an HTTP listener gives the HTTP/2 side: its exchange handlers and its connection bookkeeping. */
public interface Exchanges {

    /** The listener's current config (timeouts, header size). */
    ListenerConfig config();

    /** The listener is draining: connections finish what is in flight and take nothing new. */
    boolean draining();

    /**
     * The handler of an HTTP/1.1 connection: a TLS client that chose it by ALPN (or named no protocol), or a cleartext
     * one that did not open with HTTP/2's preface.
     */
    ChannelHandler http1(ClientState client, boolean https);

    /**
     * The handler of one stream's exchange on {@code connection}; the connection's own accounting is not its part.
     *
     * @param client the connection's per-client limits (null when it was over its connection cap)
     * @param https the connection is TLS
     */
    ChannelHandler stream(ClientState client, Channel connection, boolean https);

    /** An HTTP/2 connection of {@code client} closed: its connection slot is free again. */
    void connectionClosed(ClientState client);

    /**
     * An HTTP/2 stream or connection was refused for what its client sent: counted under {@code label} (a metric label)
     * and logged, rate-limited, with {@code detail}.
     */
    void refused(String label, String detail);
}
