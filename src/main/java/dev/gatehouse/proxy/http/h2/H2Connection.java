package dev.gatehouse.proxy.http.h2;

import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.limit.ClientState;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 client connection: the frame codec with its limits, a child channel per stream (each with a
 * {@link StreamBridge} and the listener's exchange handler), and the connection's own timers. It sits last in the
 * connection's pipeline, where the codec's connection-level frames (SETTINGS, PING, GOAWAY) end.
 *
 * <p>Limits against abusive peers, most of them enforced by Netty's codec as configured here: at most
 * {@value #MAX_STREAMS} concurrent streams (more are refused with REFUSED_STREAM), a header list no larger than the
 * listener's {@code max_header_size} (HPACK bombs and CONTINUATION floods end there), a 4 KiB HPACK table, at most
 * {@value #MAX_RESETS} streams reset by the client per {@value #RESET_WINDOW_SECONDS} s (rapid reset, CVE-2023-44487),
 * at most {@value #MAX_QUEUED_CONTROL} control frames queued towards a client that does not read (PING and SETTINGS
 * floods), at most {@value #MAX_EMPTY_DATA} empty DATA frames in a row. A client that keeps the data it is sent
 * stalled (a zero flow-control window, not one DATA frame out) for a whole idle timeout is closed, as is a connection
 * with no stream for that long.
 */
public final class H2Connection extends ChannelDuplexHandler {

    static final int MAX_STREAMS = 100;
    static final int MAX_RESETS = 200;
    static final int RESET_WINDOW_SECONDS = 30;
    static final int MAX_QUEUED_CONTROL = 10_000;
    static final int MAX_EMPTY_DATA = 2;
    private static final int HPACK_TABLE = 4096;

    private final Exchanges exchanges;
    private final ClientState client;
    private final Http2FrameCodec codec;
    private final FrameWatch frames;
    private final Http2Connection connection;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> check;
    /** Streams opened so far, and at the last idle check: a connection idles only while no stream opened since. */
    private long opened;
    private long openedAtCheck;
    /** Data waited for the client's window at the last check, and the DATA frames sent by then. */
    private boolean waitingAtCheck;
    private long sentAtCheck;

    private H2Connection(Exchanges exchanges, ClientState client, Http2FrameCodec codec, FrameWatch frames) {
        this.exchanges = exchanges;
        this.client = client;
        this.codec = codec;
        this.frames = frames;
        this.connection = codec.connection();
    }

    /**
     * Hands the connection of {@code choice} to HTTP/2 ({@code h2}) or to HTTP/1.1, as its TLS handshake or its first
     * bytes chose; {@code https}: the connection is TLS.
     */
    static void handOff(ChannelHandlerContext choice, Exchanges exchanges, ClientState client, boolean h2, boolean https) {
        if (h2) {
            install(choice, exchanges, client, https);
        } else {
            choice.pipeline().addAfter(choice.name(), null, exchanges.http1(client, https));
            choice.fireChannelActive(); // to the handler just added: the connection was active before it came
        }
    }

    /** Puts HTTP/2 after {@code choice} on its connection. */
    private static void install(ChannelHandlerContext choice, Exchanges exchanges, ClientState client, boolean https) {
        ListenerConfig config = exchanges.config();
        FrameWatch frames = new FrameWatch(exchanges);
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(MAX_STREAMS)
                        .maxHeaderListSize(config.maxHeaderSize())
                        .headerTableSize(HPACK_TABLE))
                .validateHeaders(true)
                .frameLogger(frames)
                .decoderEnforceMaxRstFramesPerWindow(MAX_RESETS, RESET_WINDOW_SECONDS)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_EMPTY_DATA)
                .gracefulShutdownTimeoutMillis(config.idleTimeout().toMillis())
                .build();
        H2Connection h2 = new H2Connection(exchanges, client, codec, frames);
        Channel parent = choice.channel();
        Http2MultiplexHandler streams = new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                h2.opened++;
                ch.config().setAutoRead(false); // the exchange handler reads as it forwards, so flow control follows the backend
                ch.pipeline().addLast(new StreamBridge(), exchanges.stream(client, parent, https));
            }
        });
        choice.pipeline().addAfter(choice.name(), null, codec);
        choice.pipeline().addLast(streams, h2);
        choice.read();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (exchanges.draining()) {
            drain();
        } else {
            scheduleCheck();
        }
    }

    /** Called when the listener drains: GOAWAY now, streams in flight finish (within the idle timeout), then close. */
    public void drain() {
        ctx.close(); // the codec's close is graceful: GOAWAY with the last stream, then it waits for the open ones
    }

    private void scheduleCheck() {
        check = ctx.executor().schedule(this::idleCheck, exchanges.config().idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Every idle timeout: closes a connection that opened no stream and has none open, or whose client stalls: data
     * waited for its flow-control window at this check and the last, and not one DATA frame went out in between (a
     * client that reads slowly but reads is not stalled).
     */
    private void idleCheck() {
        if (connection.numActiveStreams() == 0 && opened == openedAtCheck) {
            ctx.close();
            return;
        }
        boolean waiting = dataWaiting();
        long sent = frames.dataSent();
        if (waiting && waitingAtCheck && sent == sentAtCheck) {
            codec.gracefulShutdownTimeoutMillis(0); // its streams wait for the client's window: they would never finish
            ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM,
                    Unpooled.copiedBuffer("flow-control window stalled", StandardCharsets.US_ASCII)));
            ctx.close();
            return;
        }
        openedAtCheck = opened;
        waitingAtCheck = waiting;
        sentAtCheck = sent;
        scheduleCheck();
    }

    /** Some stream has data queued for the client that its flow-control window (or the connection's) holds back. */
    private boolean dataWaiting() {
        Http2RemoteFlowController flow = connection.remote().flowController();
        boolean[] waiting = {false};
        try {
            connection.forEachActiveStream((Http2Stream s) -> {
                waiting[0] = flow.hasFlowControlled(s) && !flow.isWritable(s);
                return !waiting[0];
            });
        } catch (Http2Exception e) { // declared for visitors that throw; this one does not
            return false;
        }
        return waiting[0];
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // SETTINGS, PING and GOAWAY: the codec has acted on them already
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (check != null) {
            check.cancel(false);
        }
        exchanges.connectionClosed(client);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof Http2Exception)) { // the codec answers its own errors with the GOAWAY code they call for
            ctx.close();
        }
    }
}
