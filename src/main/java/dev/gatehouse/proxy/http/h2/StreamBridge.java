package dev.gatehouse.proxy.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.PromiseNotifier;
import java.util.function.Consumer;

/**
 * Between one stream's channel and the exchange handler after it: the client's frames become the request's HTTP/1.1
 * bytes ({@link RequestBytes}), the bytes written back become frames ({@link ResponseFrames}). A malformed request is
 * reset with PROTOCOL_ERROR before any of it reaches the exchange. The handler closes the stream after its response;
 * that close waits until the END_STREAM frame is written (the flow-control window may hold it back), because closing
 * an open stream resets it.
 */
final class StreamBridge extends ChannelDuplexHandler {

    private final RequestBytes request = new RequestBytes();
    private ResponseFrames response;
    private boolean headersSeen;
    /** The write of the frame with END_STREAM, once made. */
    private ChannelFuture endWritten;
    /** The frame translated last, held back so the caller's promise goes with the last frame of a write. */
    private Http2StreamFrame held;
    private Consumer<Http2StreamFrame> writeHeld;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf bytes;
        if (msg instanceof Http2HeadersFrame h) {
            if (!headersSeen) {
                headersSeen = true;
                bytes = request.head(ctx.alloc(), h.headers(), h.isEndStream());
                response = new ResponseFrames(request.headRequest());
            } else {
                bytes = request.trailers(ctx.alloc(), h.isEndStream());
            }
        } else if (msg instanceof Http2DataFrame d) {
            bytes = headersSeen ? request.data(ctx.alloc(), d.content(), d.isEndStream()) : null;
            d.release();
        } else {
            ReferenceCountUtil.release(msg);
            ctx.read();
            return;
        }
        if (request.error() != null) { // counted as the reset goes out (FrameWatch)
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR)).addListener(f -> ctx.close());
        } else if (bytes != null) {
            ctx.fireChannelRead(bytes);
        } else if (!request.ended()) {
            ctx.read(); // nothing for the exchange in this frame: the next one, then
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.write(msg, promise);
            return;
        }
        if (response == null) {
            response = new ResponseFrames(false); // an answer before the request was read: a 429 over the client's cap
        }
        if (response.done() || response.failed()) {
            buf.release(); // nothing can follow the END_STREAM (an empty flush-and-close, say)
            promise.trySuccess();
            return;
        }
        response.translate(ctx.alloc(), buf, writeHeld);
        Http2StreamFrame last = held;
        held = null;
        if (last == null) {
            promise.trySuccess();
        } else if (response.done()) {
            endWritten = ctx.write(last);
            if (!promise.isVoid()) {
                PromiseNotifier.cascade(endWritten, promise);
            }
        } else {
            ctx.write(last, promise);
        }
        if (response.failed()) {
            ctx.close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Each frame but a write's last goes out as the next one comes: the caller's promise is for the last.
        writeHeld = frame -> {
            if (held != null) {
                ctx.write(held, ctx.voidPromise());
            }
            held = frame;
        };
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (response != null && response.untilClose()) {
            endWritten = ctx.writeAndFlush(response.endOfBody());
        }
        if (endWritten != null && !endWritten.isDone()) {
            ctx.flush();
            endWritten.addListener(f -> ctx.close(promise)); // the stream is closed by then: no reset
        } else {
            ctx.close(promise); // after a complete response a no-op; before, a reset that cuts the stream off
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (response != null) {
            response.release();
        }
        ctx.fireChannelInactive();
    }
}
