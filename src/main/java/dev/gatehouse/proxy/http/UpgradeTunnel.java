package dev.gatehouse.proxy.http;

import dev.gatehouse.accesslog.Termination;
import dev.gatehouse.proxy.http.ClientConnection.Phase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;

/**
 * A WebSocket upgrade the backend accepted: from its 101 on, bytes go both ways unparsed, each side read only when
 * the other has taken the last write, until either side closes.
 */
final class UpgradeTunnel {

    private UpgradeTunnel() {}

    static void start(ClientConnection c) {
        c.timer.stop();
        c.phase = Phase.TUNNEL;
        c.onUpstreamTunnelWrite = f -> {
            if (f.isSuccess()) {
                c.ctx.read();
            } else {
                c.closeAll(Termination.SERVER_CLOSED);
            }
        };
        c.onClientTunnelWrite = f -> {
            if (f.isSuccess() && c.upstream != null) {
                c.upstream.channel().read();
            } else {
                c.closeAll(Termination.CLIENT_CLOSED);
            }
        };
        c.responseStarted = true;
        RequestLog.firstByte(c);
        ExchangeCodecs codecs = c.codecs;
        ByteBuf out = c.ctx.alloc().directBuffer(codecs.response.length() + 32);
        codecs.response.writeDownstream(out, true, c.clientHttp10(), null);
        c.bytesOut += out.readableBytes() + c.upstreamInbound.readableBytes();
        c.ctx.write(out);
        if (c.upstreamInbound.isReadable()) {
            c.ctx.write(c.upstreamInbound);
        } else {
            c.upstreamInbound.release();
        }
        c.upstreamInbound = null;
        c.ctx.flush();
        if (c.inbound != null && c.inbound.isReadable()) {
            c.bytesIn += c.inbound.readableBytes();
            c.upstream.channel().writeAndFlush(c.inbound);
        } else {
            ClientConnection.release(c.inbound);
        }
        c.inbound = null;
        c.ctx.read();
        c.upstream.channel().read();
    }

    static void fromClient(ClientConnection c, ByteBuf buf) {
        c.bytesIn += buf.readableBytes();
        c.upstream.channel().writeAndFlush(buf).addListener(c.onUpstreamTunnelWrite);
    }

    static void fromBackend(ClientConnection c, ByteBuf buf) {
        c.bytesOut += buf.readableBytes();
        c.ctx.writeAndFlush(buf).addListener(c.onClientTunnelWrite);
    }

    /** The client half-closed: the backend gets the FIN once everything before it is written; its close ends the tunnel. */
    static void clientHalfClosed(ClientConnection c) {
        c.upstream.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess() && f.channel() instanceof DuplexChannel backend) {
                backend.shutdownOutput(); // pass the half-close on; the backend's close ends the tunnel
            } else {
                f.channel().close();
            }
        });
    }
}
