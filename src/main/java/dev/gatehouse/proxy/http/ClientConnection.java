package dev.gatehouse.proxy.http;

import dev.gatehouse.accesslog.Termination;
import dev.gatehouse.limit.ClientState;
import dev.gatehouse.metrics.EndpointStats;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.proxy.http.codec.Framing;
import dev.gatehouse.proxy.http.codec.HttpResponses;
import dev.gatehouse.proxy.http.codec.ParseResult;
import dev.gatehouse.proxy.http.codec.Refusal;
import dev.gatehouse.route.RequestFacts;
import dev.gatehouse.route.ResolvedPool;
import dev.gatehouse.tls.ClientSubject;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One client connection of an HTTP listener and the exchange in flight on it: the client side's phase machine and
 * its timers. Requests are handled one at a time (pipelined bytes wait in {@link #inbound}); bodies stream through
 * as raw bytes in both directions, and each side is read only when the write to the other side has completed, so
 * memory per connection stays bounded whatever the body size. Everything runs on the client's event loop, which
 * also owns the upstream channel.
 *
 * <p>The steps of an exchange are in their own files: {@link Admission} (per-client rate), {@link Routing} (route,
 * affinity, endpoint), {@link UpstreamExchange} (connect or reuse, retry, outcome), {@link RequestBody},
 * {@link ResponseRelay} and {@link UpgradeTunnel}. Their state stays in this one object, so an idle connection
 * costs no more objects than before the split (thousands may sit idle); that state, declared and documented here,
 * is why this file runs a little over 400 lines.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter implements RequestFacts {

    private static final long LINGER_MILLIS = 1000;

    /** ANSWERING: the proxy's own answer (429) is being written; the connection stays open after it. */
    enum Phase { HEAD, BODY_START, CONNECTING, ANSWERING, EXCHANGE, TUNNEL, CLOSED }

    final HttpListener listener;
    /** Accepted over TLS (X-Forwarded-Proto): so it stays whatever a reload does to the listener's {@code tls:}. */
    final boolean https;
    /** The HTTP/2 connection this stream's exchange is on; null on an HTTP/1.1 connection. */
    private final Channel connection;
    /** The parsers and endpoint choice of the exchange in flight; null while the connection is idle (see {@link ExchangeCodecs}). */
    ExchangeCodecs codecs;

    ChannelHandlerContext ctx;
    /** The client's per-client limits; null when it was over its connection cap as it connected. */
    ClientState client;
    InetAddress clientAddress;
    String clientIp;
    /** The subject of the client's verified certificate, read at the first request (see {@link #clientSubject()}). */
    private String clientSubject;
    private boolean clientSubjectRead;
    long sourceHash;
    Phase phase = Phase.HEAD;
    /** A byte of the next request has arrived: the idle wait has become the header-read deadline. */
    boolean headStarted;
    /** The client half-closed: what it sent is still answered, then the connection closes. */
    boolean inputShutdown;
    /** Client bytes received but not yet consumed: a partial head, body bytes or a pipelined request. */
    ByteBuf inbound;
    /** Backend bytes of a response head not yet complete. */
    ByteBuf upstreamInbound;
    /**
     * The one timeout running at a time: outside an exchange the client's (idle, header read, answer), inside one
     * the pool's request timeout, from the request sent until the response starts. The phases never overlap, so
     * one timer serves both (see {@link #timedOut}): an idle connection keeps one scheduled task, not two.
     */
    LazyTimer timer;

    // The exchange in flight (its pool is its endpoint choice's, in codecs).
    Endpoint endpoint;
    EndpointStats endpointStats;
    Upstream upstream;
    boolean upstreamReused;
    /** The encoded request head, kept while the request may still be retried on another endpoint. */
    ByteBuf sentHead;
    long startNanos;
    boolean requestDone;
    boolean responseStarted;
    /** The client sent {@code Expect: 100-continue} and has neither had an interim answer nor sent body bytes yet. */
    boolean awaitingContinue;
    /** The upload stalled with the backend not taking the body, and it has the rest of the request timeout to take it. */
    boolean backendStalled;
    boolean keepClient;
    /** The endpoint a sticky cookie is to name in the response; null when none is set. */
    Endpoint stickyAssign;

    // The access log's figures of the request in flight (see RequestLog), kept only while its line is pending.
    boolean logPending;
    int route;
    long bytesIn;
    long bytesOut;
    long dialNanos;
    long connectNanos;
    long firstByteNanos;

    final ChannelFutureListener onConnect = f -> UpstreamExchange.connected(this, f);
    final ChannelFutureListener onUpstreamWrite = f -> {
        if (f.isSuccess() && phase == Phase.EXCHANGE && !requestDone && f.channel().isWritable()) {
            RequestBody.read(this);
        }
    };
    final ChannelFutureListener afterAnswer = f -> {
        if (!f.isSuccess()) {
            ctx.close();
        } else if (phase == Phase.ANSWERING) {
            awaitRequest();
        }
    };
    // Made when a tunnel starts (see UpgradeTunnel): most connections never tunnel, and thousands may sit idle.
    ChannelFutureListener onUpstreamTunnelWrite;
    ChannelFutureListener onClientTunnelWrite;

    /**
     * @param connection for an HTTP/2 stream, the client's connection, which carries its TLS and whose accounting is
     *     its own; null for an HTTP/1.1 connection
     */
    ClientConnection(HttpListener listener, ClientState client, boolean https, Channel connection) {
        this.listener = listener;
        this.client = client;
        this.https = https;
        this.connection = connection;
    }

    /** The subject of the certificate the client presented and TLS verified; null without one. */
    String clientSubject() {
        if (!clientSubjectRead) {
            clientSubject = https ? ClientSubject.of(connection == null ? ctx.channel() : connection) : null;
            clientSubjectRead = true;
        }
        return clientSubject;
    }

    // ---- client side ----

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        timer = new LazyTimer(ctx.executor(), this::timedOut);
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        clientAddress = remote.getAddress();
        clientIp = clientAddress.getHostAddress();
        sourceHash = dev.gatehouse.balance.HashKeys.of(clientAddress);
        if (client == null) {
            answerAndClose(429, Termination.LIMITED); // over the client's connection cap
            return;
        }
        // A client connects to send a request: until its first one is complete, the header-read timeout applies
        // (as HAProxy's `timeout http-request`), not the idle one of a kept-alive connection between requests.
        // So a connection that never sends is dropped as soon as a slow head would be, and the first byte only
        // moves the deadline later, which costs no second timer.
        awaitRequest(listener.config().headerReadTimeout().toNanos());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        switch (phase) {
            case HEAD -> {
                inbound = inbound == null ? buf : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), inbound, buf);
                if (!headStarted) {
                    headStarted = true;
                    timer.restart(listener.config().headerReadTimeout().toNanos());
                }
                parseRequest();
            }
            case EXCHANGE -> {
                inbound = inbound == null ? buf : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), inbound, buf);
                if (!requestDone) {
                    RequestBody.forward(this);
                }
            }
            case BODY_START -> {
                inbound = inbound == null ? buf : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), inbound, buf);
                Routing.proceed(this);
            }
            case TUNNEL -> UpgradeTunnel.fromClient(this, buf);
            case CLOSED -> {
                // Lingering after an error answer: discard what the client still sends until it closes.
                buf.release();
                ctx.read();
            }
            default -> inbound = inbound == null ? buf : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), inbound, buf);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connection == null) {
            listener.stats().closed();
        }
        RequestLog.closed(this);
        if (phase == Phase.CONNECTING || phase == Phase.EXCHANGE || phase == Phase.TUNNEL) {
            UpstreamExchange.abandon(this, false);
        }
        phase = Phase.CLOSED;
        if (client != null && connection == null) {
            listener.limiter().disconnect(client);
        }
        client = null;
        if (timer != null) { // null when the channel never became active
            timer.close();
        }
        inbound = release(inbound);
        upstreamInbound = release(upstreamInbound);
        sentHead = release(sentHead);
        releaseCodecs();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && upstream != null && (phase == Phase.EXCHANGE || phase == Phase.TUNNEL)) {
            upstream.channel().read();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /**
     * The client half-closed (shutdown(SHUT_WR), as {@code nc -N} does; the listener allows half-closure): nothing
     * more will come, but a complete request is still answered in full, and so are complete pipelined ones; then
     * the connection closes. A head or body that is not complete never will be: the connection closes now.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt != ChannelInputShutdownEvent.INSTANCE) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        inputShutdown = true;
        switch (phase) {
            case CONNECTING, ANSWERING -> { } // attach, or the answer's completion, looks at inputShutdown
            case EXCHANGE -> {
                if (!requestDone) {
                    closeAll(Termination.CLIENT_CLOSED); // channelRead relays every body byte at once, so none is left to come
                }
            }
            case TUNNEL -> UpgradeTunnel.clientHalfClosed(this);
            default -> closeWhenWritten(); // a head or first chunk line still incomplete, or an error answered
        }
    }

    /** Called when the listener drains: an idle connection closes now, a busy one after its response. */
    void drain() {
        if (phase == Phase.HEAD && !headStarted) {
            closeIdle();
        }
    }

    /**
     * Ends an idle keep-alive connection without a reset: half-closed, it lingers, and a request the client sent
     * before it saw the FIN is read and dropped (the client sees the connection end before an answer, which every
     * HTTP client sends again on a new connection), where a plain close would answer it with a reset.
     */
    private void closeIdle() {
        phase = Phase.CLOSED;
        timer.stop();
        // after what is still queued (the last answer's end), as half-closing drops writes not yet flushed
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) this::lingerThenClose);
    }

    // ---- the upstream channel's events, from Upstream ----

    void upstreamRead(Upstream u, ByteBuf buf) {
        ResponseRelay.read(this, u, buf);
    }

    void upstreamClosed(Upstream u) {
        ResponseRelay.closed(this, u);
    }

    void upstreamWritable(Upstream u) {
        if (u == upstream && phase == Phase.EXCHANGE && !requestDone) {
            RequestBody.read(this);
        } else if (u == upstream && phase == Phase.TUNNEL) {
            ctx.read();
        }
    }

    // ---- between requests ----

    void awaitRequest() {
        awaitRequest(listener.config().idleTimeout().toNanos());
    }

    /** Waits for the next request, {@code waitNanos} at most until its first byte. */
    private void awaitRequest(long waitNanos) {
        phase = Phase.HEAD;
        if (listener.draining()) {
            closeIdle();
            return;
        }
        headStarted = inbound != null && inbound.isReadable();
        if (headStarted) {
            timer.restart(listener.config().headerReadTimeout().toNanos());
            parseRequest();
        } else if (inputShutdown) {
            closeWhenWritten();
        } else {
            releaseCodecs();
            timer.restart(waitNanos);
            ctx.read();
        }
    }

    /** Idle: the parsers go back to the event loop's pool until the next request. */
    private void releaseCodecs() {
        if (codecs != null) {
            codecs.release();
            codecs = null;
        }
    }

    private void parseRequest() {
        if (codecs == null) {
            codecs = ExchangeCodecs.acquire(listener.config().maxHeaderSize());
        }
        int result = codecs.requestParser.parse(inbound);
        if (result == ParseResult.NEED_MORE) {
            if (inputShutdown) {
                closeWhenWritten(); // a pipelined head the client will never finish
            } else {
                ctx.read();
            }
            return;
        }
        if (result == ParseResult.ERROR) {
            refuse(codecs.requestParser.error(), codecs.requestParser.errorReason());
            return;
        }
        timer.stop();
        if (!inbound.isReadable()) {
            // The head is copied into the parser: a request without a body leaves nothing worth keeping, and an
            // idle keep-alive connection must not hold a read buffer until its next request.
            inbound = release(inbound);
        }
        if (codecs.request.framing() == Framing.NONE) {
            // Keep reading armed for the next request now rather than after the response: with reading paused
            // in between, the epoll transport would switch EPOLLIN off and on again, two epoll_ctl calls per
            // request. On io_uring the queued receive holds a pooled buffer while the connection idles, but no
            // page of it is touched until bytes arrive: resident memory per idle connection measured the same as
            // on epoll (bench/run, scenario 4). A client that sends early (pipelining) gets one read buffered,
            // then waits as before.
            ctx.read();
        }
        startExchange();
    }

    /** A complete head: admitted by rate, routed to a pool, then on to an endpoint. */
    private void startExchange() {
        startNanos = listener.ticker().nanos();
        RequestLog.begin(this);
        if (!Admission.admit(this) || !Routing.route(this)) {
            return;
        }
        codecs.requestBody.reset(codecs.request.framing(), codecs.request.contentLength());
        requestDone = codecs.request.framing() == Framing.NONE;
        responseStarted = false;
        awaitingContinue = codecs.request.expectContinue();
        keepClient = codecs.request.keepAlive() && !listener.draining();
        stickyAssign = null;
        Routing.proceed(this);
    }

    // ---- timers ----

    private void timedOut() {
        if (phase == Phase.EXCHANGE && !requestDone && !responseStarted) {
            RequestBody.uploadStalled(this);
        } else if (phase == Phase.EXCHANGE) {
            UpstreamExchange.requestTimedOut(this);
        } else {
            clientTimedOut();
        }
    }

    private void clientTimedOut() {
        if (phase == Phase.ANSWERING) {
            ctx.close(); // the client does not read what it is sent
            return;
        }
        if (phase == Phase.BODY_START) {
            refuse(Refusal.REQUEST_TIMEOUT, "first chunk not received in time");
            return;
        }
        if (phase != Phase.HEAD) {
            return;
        }
        if (!headStarted) {
            ctx.close();
        } else {
            refuse(Refusal.REQUEST_TIMEOUT, "request head not received in time");
        }
    }

    // ---- the proxy's own answers, and closing ----

    /** Answers a request the proxy will not forward, counted and logged by reason (rate-limited), and closes. */
    void refuse(Refusal why, String detail) {
        listener.refusals().refused(why, detail, clientIp);
        answerAndClose(why.status(), why == Refusal.REQUEST_TIMEOUT ? Termination.CLIENT_TIMEOUT : Termination.BAD_REQUEST);
    }

    void answerAndClose(int status, Termination why) {
        phase = Phase.CLOSED;
        timer.stop();
        ByteBuf answer = HttpResponses.error(status);
        RequestLog.answered(this, status, why, answer.readableBytes());
        ctx.writeAndFlush(answer).addListener((ChannelFutureListener) this::lingerThenClose);
    }

    void lingerThenClose(ChannelFuture f) {
        if (f.isSuccess() && f.channel() instanceof DuplexChannel duplex) {
            // Half-close so the client reads the whole answer even while it is still sending; close for good soon after.
            duplex.shutdownOutput();
            ctx.executor().schedule((Runnable) ctx::close, LINGER_MILLIS, TimeUnit.MILLISECONDS);
            ctx.read();
        } else {
            f.channel().close();
        }
    }

    /**
     * Closes the client once everything written to it has gone to the kernel, which sends it before the FIN: at
     * once when Netty holds nothing back (the usual case, and the FIN then leaves right after the response),
     * otherwise when the rest is flushed.
     */
    void closeWhenWritten() {
        ChannelOutboundBuffer queued = ctx.channel().unsafe().outboundBuffer();
        if (queued == null || queued.totalPendingWriteBytes() == 0) {
            ctx.close();
        } else {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    void closeAll(Termination why) {
        RequestLog.cut(this, why);
        phase = Phase.CLOSED;
        UpstreamExchange.abandon(this, false);
        ctx.close();
    }

    // ---- helpers ----

    static ByteBuf release(ByteBuf buf) {
        ReferenceCountUtil.safeRelease(buf);
        return null;
    }

    /** The pool of the exchange in flight. */
    ResolvedPool pool() {
        return codecs.choice.pool();
    }

    boolean clientHttp10() {
        return codecs.request.minorVersion() == 0;
    }

    // ---- RequestFacts, for the router ----

    @Override
    public CharSequence host() {
        return codecs.request.host();
    }

    @Override
    public CharSequence path() {
        return codecs.request.path();
    }

    @Override
    public CharSequence header(CharSequence name) {
        return codecs.request.header(name);
    }
}
