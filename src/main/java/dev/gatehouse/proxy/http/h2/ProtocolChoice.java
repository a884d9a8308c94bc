package dev.gatehouse.proxy.http.h2;

import dev.gatehouse.limit.ClientState;
import dev.gatehouse.tls.TlsSettings;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Waits for a TLS connection's handshake on a listener that offers {@code h2}, then hands the connection to HTTP/2 or
 * to HTTP/1.1 as the client chose by ALPN (HTTP/1.1 when it named nothing), and leaves the pipeline. Until then it
 * keeps the handshake reading, and a connection that never completes its handshake is accounted for here.
 */
public final class ProtocolChoice extends ChannelInboundHandlerAdapter {

    private final Exchanges exchanges;
    private final ClientState client;
    private boolean chosen;

    public ProtocolChoice(Exchanges exchanges, ClientState client) {
        this.exchanges = exchanges;
        this.client = client;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read(); // the listener's sockets do not read on their own; the TLS handlers read on until the handshake is done
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof SslHandshakeCompletionEvent done)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (!done.isSuccess()) {
            return; // the TLS handler closes the connection
        }
        chosen = true;
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        H2Connection.handOff(ctx, exchanges, client, TlsSettings.H2.equals(ssl.applicationProtocol()), true);
        ctx.pipeline().remove(this);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!chosen) {
            exchanges.connectionClosed(client); // the handshake failed or never ended: no handler after this one took it
        }
        ctx.fireChannelInactive();
    }
}
