package dev.gatehouse.proxy.http.h2;

import dev.gatehouse.limit.ClientState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * On a cleartext listener with {@code h2c: true}: reads a new connection's first bytes and hands it to HTTP/2 when
 * they are HTTP/2's connection preface (RFC 9113 section 3.3, prior knowledge), else to HTTP/1.1, with those bytes.
 * A client that sends neither within the header-read timeout is closed, as an HTTP/1.1 client would be.
 */
public final class PriorKnowledge extends ChannelInboundHandlerAdapter {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final Exchanges exchanges;
    private final ClientState client;
    private ByteBuf first;
    private ScheduledFuture<?> deadline;
    private boolean chosen;

    public PriorKnowledge(Exchanges exchanges, ClientState client) {
        this.exchanges = exchanges;
        this.client = client;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule((Runnable) ctx::close, exchanges.config().headerReadTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        first = first == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), first, in);
        int n = Math.min(first.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(first, first.readerIndex(), PREFACE, 0, n)) {
            choose(ctx, false);
        } else if (n == PREFACE.readableBytes()) {
            choose(ctx, true);
        } else {
            ctx.read(); // a prefix of the preface so far
        }
    }

    private void choose(ChannelHandlerContext ctx, boolean h2) {
        chosen = true;
        deadline.cancel(false);
        H2Connection.handOff(ctx, exchanges, client, h2, false);
        ByteBuf bytes = first;
        first = null;
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(bytes); // what was read so far, to the handler chosen
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!chosen) {
            if (deadline != null) {
                deadline.cancel(false);
            }
            if (first != null) {
                first.release();
                first = null;
            }
            exchanges.connectionClosed(client);
        }
        ctx.fireChannelInactive();
    }
}
