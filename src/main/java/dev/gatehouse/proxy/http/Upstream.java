package dev.gatehouse.proxy.http;

import dev.gatehouse.pool.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * One connection to an endpoint: the handler at the end of its pipeline. While an exchange owns it,
 * every event goes to that {@link ClientConnection}; while idle in the {@link UpstreamPool}, any byte
 * or close from the backend just retires it.
 */
final class Upstream extends ChannelInboundHandlerAdapter {

    private final Endpoint endpoint;
    private final long maxIdleNanos;
    private Channel channel;
    private ClientConnection owner;
    private long idleSince;

    Upstream(Endpoint endpoint, long maxIdleNanos) {
        this.endpoint = endpoint;
        this.maxIdleNanos = maxIdleNanos;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    Channel channel() {
        return channel;
    }

    void owner(ClientConnection owner) {
        this.owner = owner;
    }

    void idleSince(long nanos) {
        idleSince = nanos;
        owner = null;
    }

    boolean idleExpired(long now) {
        return now - idleSince > maxIdleNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (owner != null) {
            owner.upstreamRead(this, (ByteBuf) msg);
        } else {
            ((ByteBuf) msg).release();
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (owner != null) {
            owner.upstreamClosed(this);
        } else {
            UpstreamPool.of(ctx.channel().eventLoop()).remove(this);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (owner != null && ctx.channel().isWritable()) {
            owner.upstreamWritable(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset or a protocol error from the backend: closing turns it into channelInactive above.
        ctx.close();
    }
}
