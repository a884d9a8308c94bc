package dev.gatehouse.proxy.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.logging.LogLevel;
import java.util.Locale;

/**
 * Watches the frames one connection sends. It counts what the connection refused: a RST_STREAM with PROTOCOL_ERROR is
 * a malformed request (found by the codec's header validation or by {@link RequestBytes}), a GOAWAY with an error code
 * a connection ended for what its client did (rapid reset, floods, a stalled window: ENHANCE_YOUR_CALM). And it counts
 * the DATA frames sent, by which {@link H2Connection} tells a client that reads slowly from one that stalls. The codec
 * calls a frame logger for every frame it reads or writes, and no other hook sees the resets it makes itself; this
 * one logs nothing of its own (its level, TRACE, is off).
 */
final class FrameWatch extends Http2FrameLogger {

    private final Exchanges exchanges;
    private long dataSent;

    FrameWatch(Exchanges exchanges) {
        super(LogLevel.TRACE, FrameWatch.class);
        this.exchanges = exchanges;
    }

    /** DATA frames written so far. */
    long dataSent() {
        return dataSent;
    }

    @Override
    public void logData(Direction direction, ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
            boolean endStream) {
        if (direction == Direction.OUTBOUND) {
            dataSent++;
        }
    }

    @Override
    public void logRstStream(Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
        if (direction == Direction.OUTBOUND && errorCode == Http2Error.PROTOCOL_ERROR.code()) {
            exchanges.refused("h2_malformed", "stream " + streamId + " reset as malformed (RFC 9113 section 8.1.1)");
        }
    }

    @Override
    public void logGoAway(Direction direction, ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        Http2Error error = Http2Error.valueOf(errorCode);
        if (direction == Direction.OUTBOUND && error != null && error != Http2Error.NO_ERROR) {
            exchanges.refused("h2_" + error.name().toLowerCase(Locale.ROOT), "connection ended: "
                    + debugData.toString(java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
