package dev.gatehouse.proxy.http;

import dev.gatehouse.config.PoolConfig;
import dev.gatehouse.limit.ClientState;
import dev.gatehouse.metrics.EndpointStats;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.Pool;
import dev.gatehouse.proxy.EndpointPicker;
import dev.gatehouse.proxy.ProxyProtocolV2;
import dev.gatehouse.proxy.http.codec.HttpResponses;
import dev.gatehouse.proxy.http.codec.ParseResult;
import dev.gatehouse.proxy.http.codec.Framing;
import dev.gatehouse.proxy.http.codec.Refusal;
import dev.gatehouse.route.RequestFacts;
import dev.gatehouse.stick.StickTable;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

/**
 * One client connection of an HTTP listener and the exchange in flight on it. Requests are handled
 * one at a time (pipelined bytes wait in {@link #inbound}); bodies stream through as raw bytes in both
 * directions, and each side is read only when the write to the other side has completed, so memory
 * per connection stays bounded whatever the body size. Everything runs on the client's event loop,
 * which also owns the upstream channel.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter implements RequestFacts {

    private static final int MAX_CHUNK_LINE = 1024;
    private static final long LINGER_MILLIS = 1000;

    private static final long SECOND = 1_000_000_000L;

    /** ANSWERING: the proxy's own answer (429) is being written; the connection stays open after it. */
    private enum Phase { HEAD, BODY_START, CONNECTING, ANSWERING, EXCHANGE, TUNNEL, CLOSED }

    private final HttpListener listener;
    /** The parsers of the exchange in flight; null while the connection is idle (see {@link ExchangeCodecs}). */
    private ExchangeCodecs codecs;

    private ChannelHandlerContext ctx;
    /** The client's per-client limits; null when it was over its connection cap as it connected. */
    private ClientState client;
    private InetAddress clientAddress;
    private String clientIp;
    private long sourceHash;
    private Phase phase = Phase.HEAD;
    /** A byte of the next request has arrived: the idle wait has become the header-read deadline. */
    private boolean headStarted;
    /** The client half-closed: what it sent is still answered, then the connection closes. */
    private boolean inputShutdown;
    /** Client bytes received but not yet consumed: a partial head, body bytes or a pipelined codecs.request. */
    private ByteBuf inbound;
    /** Backend bytes of a response head not yet complete. */
    private ByteBuf upstreamInbound;
    /**
     * The one timeout running at a time: outside an exchange the client's (idle, header read, answer), inside one
     * the pool's request timeout, from the request sent until the response starts. The phases never overlap, so
     * one timer serves both (see {@link #timedOut}): an idle connection keeps one scheduled task, not two.
     */
    private LazyTimer timer;

    // The exchange in flight.
    private Pool pool;
    private Endpoint endpoint;
    private EndpointStats endpointStats;
    private Upstream upstream;
    private boolean upstreamReused;
    /** The encoded request head, kept while the request may still be retried on another endpoint. */
    private ByteBuf sentHead;
    private long hash;
    /** The request's affinity key ({@code hash_on}), or {@link StickTable#NONE}: what hashing and the stick table go by. */
    private long affinityKey;
    private final BitSet tried = new BitSet();
    private int attempts;
    private long startNanos;
    private boolean requestDone;
    private boolean responseStarted;
    /** The client sent {@code Expect: 100-continue} and has neither had an interim answer nor sent body bytes yet. */
    private boolean awaitingContinue;
    /** The upload stalled with the backend not taking the body, and it has the rest of the request timeout to take it. */
    private boolean backendStalled;
    private boolean keepClient;
    private Endpoint stickyAssign;

    private final ChannelFutureListener onConnect = this::connected;
    private final ChannelFutureListener onUpstreamWrite = f -> {
        if (f.isSuccess() && phase == Phase.EXCHANGE && !requestDone && f.channel().isWritable()) {
            readBody();
        }
    };
    private final ChannelFutureListener afterAnswer = f -> {
        if (!f.isSuccess()) {
            ctx.close();
        } else if (phase == Phase.ANSWERING) {
            awaitRequest();
        }
    };

    ClientConnection(HttpListener listener, ClientState client) {
        this.listener = listener;
        this.client = client;
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
            answerAndClose(429); // over the client's connection cap
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
                    forwardRequestBody();
                }
            }
            case BODY_START -> {
                inbound = inbound == null ? buf : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), inbound, buf);
                proceed();
            }
            case TUNNEL -> upstream.channel().writeAndFlush(buf).addListener(onUpstreamTunnelWrite);
            case CLOSED -> {
                // Lingering after an error answer: discard what the client still sends until it closes.
                buf.release();
                ctx.read();
            }
            default -> inbound = inbound == null ? buf : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), inbound, buf);
        }
    }

    // Made when a tunnel starts: most connections never tunnel, and thousands may sit idle.
    private ChannelFutureListener onUpstreamTunnelWrite;
    private ChannelFutureListener onClientTunnelWrite;

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        listener.stats().closed();
        if (phase == Phase.CONNECTING || phase == Phase.EXCHANGE || phase == Phase.TUNNEL) {
            abandonAttempt(false);
        }
        phase = Phase.CLOSED;
        if (client != null) {
            listener.limiter().disconnect(client);
            client = null;
        }
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

    void upstreamWritable(Upstream u) {
        if (u == upstream && phase == Phase.EXCHANGE && !requestDone) {
            readBody();
        } else if (u == upstream && phase == Phase.TUNNEL) {
            ctx.read();
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
                    closeAll(); // channelRead relays every body byte at once, so none is left to come
                }
            }
            case TUNNEL -> upstream.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess() && f.channel() instanceof DuplexChannel backend) {
                    backend.shutdownOutput(); // pass the half-close on; the backend's close ends the tunnel
                } else {
                    f.channel().close();
                }
            });
            default -> closeWhenWritten(); // a head or first chunk line still incomplete, or an error answered
        }
    }

    /** Called when the listener drains: an idle connection closes now, a busy one after its codecs.response. */
    void drain() {
        if (phase == Phase.HEAD && !headStarted) {
            ctx.close();
        }
    }

    private void awaitRequest() {
        awaitRequest(listener.config().idleTimeout().toNanos());
    }

    /** Waits for the next request, {@code waitNanos} at most until its first byte. */
    private void awaitRequest(long waitNanos) {
        phase = Phase.HEAD;
        if (listener.draining()) {
            ctx.close();
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

    private void timedOut() {
        if (phase == Phase.EXCHANGE && !requestDone && !responseStarted) {
            uploadStalled();
        } else if (phase == Phase.EXCHANGE) {
            requestTimedOut();
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

    // ---- the exchange ----

    private void startExchange() {
        startNanos = listener.ticker().nanos();
        if (client == ClientState.UNLIMITED && listener.limiter().limited()) {
            client = listener.limiter().attach(clientAddress); // limits came with a reload after this connection opened
        }
        long wait = listener.limiter().acquire(client, startNanos);
        if (wait != 0) {
            refuseOverRate(wait);
            return;
        }
        String poolName = listener.router().select(this);
        if (poolName == null) {
            refuse(Refusal.NO_ROUTE, "no route matches");
            return;
        }
        pool = listener.pool(poolName);
        if (pool == null) {
            answerAndClose(503);
            return;
        }
        codecs.requestBody.reset(codecs.request.framing(), codecs.request.contentLength());
        requestDone = codecs.request.framing() == Framing.NONE;
        responseStarted = false;
        awaitingContinue = codecs.request.expectContinue();
        keepClient = codecs.request.keepAlive() && !listener.draining();
        tried.clear();
        attempts = 0;
        stickyAssign = null;
        proceed();
    }

    /**
     * Answers 429 to a request over its client's rate; nothing reaches a backend. The connection stays open for the
     * next request when this one has no body to skip and the client keeps it alive.
     */
    private void refuseOverRate(long waitNanos) {
        listener.stats().refuseByRate();
        listener.stats().response(429, listener.ticker().nanos() - startNanos);
        boolean keep = codecs.request.keepAlive() && codecs.request.framing() == Framing.NONE && !listener.draining();
        ByteBuf answer = HttpResponses.tooManyRequests(ctx.alloc(), Math.max(1, (waitNanos + SECOND - 1) / SECOND), keep,
                clientHttp10());
        if (!keep) {
            phase = Phase.CLOSED;
            timer.stop();
            ctx.writeAndFlush(answer).addListener((ChannelFutureListener) this::lingerThenClose);
            return;
        }
        phase = Phase.ANSWERING;
        codecs.requestParser.reset();
        if (inbound != null && !inbound.isReadable()) {
            inbound = release(inbound);
        }
        timer.restart(listener.config().idleTimeout().toNanos());
        ctx.writeAndFlush(answer).addListener(afterAnswer);
    }

    /** Chooses the endpoint and connects, once the request may reach a backend. */
    private void proceed() {
        if (codecs.request.framing() == Framing.CHUNKED && !codecs.request.expectContinue() && !firstChunkLineValid()) {
            return;
        }
        PoolConfig config = pool.config();
        StickTable stick = pool.stick();
        affinityKey = config.balance().hashing() || stick != null
                ? RequestKeys.key(config.hashOn(), codecs.request, sourceHash) : StickTable.NONE;
        hash = config.balance().hashing() ? RequestKeys.hash(affinityKey) : 0;
        Endpoint sticky = config.stickyCookie() == null ? null
                : RequestKeys.sticky(pool.view(), codecs.request.cookie(config.stickyCookie()));
        if (sticky == null && stick != null && affinityKey != StickTable.NONE) {
            sticky = EndpointPicker.serving(pool.view(), stick.lookup(affinityKey));
            if (sticky != null && config.stickyCookie() != null) {
                stickyAssign = sticky;
            }
        }
        if (sticky != null) {
            useEndpoint(sticky);
        } else {
            pickAndConnect();
        }
    }

    /**
     * A chunked body's first size line is checked before a backend sees the head, so a malformed body is
     * refused with nothing forwarded. Returns false while waiting for that line (or after refusing).
     */
    private boolean firstChunkLineValid() {
        int eol = inbound == null ? -1 : inbound.indexOf(inbound.readerIndex(), inbound.writerIndex(), (byte) '\n');
        if (eol < 0) {
            if (inbound != null && inbound.readableBytes() > MAX_CHUNK_LINE) {
                refuse(Refusal.BAD_CHUNKED_BODY, "first chunk-size line too long");
            } else if (phase != Phase.BODY_START) {
                phase = Phase.BODY_START;
                timer.restart(listener.config().headerReadTimeout().toNanos());
                ctx.read();
            } else {
                ctx.read();
            }
            return false;
        }
        codecs.chunkProbe.reset(Framing.CHUNKED, -1);
        if (codecs.chunkProbe.scan(inbound.slice(inbound.readerIndex(), eol + 1 - inbound.readerIndex())) < 0) {
            listener.refusals().refused(Refusal.BAD_CHUNKED_BODY, codecs.chunkProbe.errorReason(), clientIp);
            failExchange(400);
            return false;
        }
        timer.stop();
        return true;
    }

    private void pickAndConnect() {
        Endpoint chosen = EndpointPicker.pick(pool.view(), hash, tried);
        if (chosen == null) {
            failExchange(attempts == 0 ? 503 : 502);
            return;
        }
        if (pool.config().stickyCookie() != null) {
            stickyAssign = chosen;
        }
        StickTable stick = pool.stick();
        if (stick != null && affinityKey != StickTable.NONE) {
            stick.record(affinityKey, chosen.key());
        }
        useEndpoint(chosen);
    }

    private void useEndpoint(Endpoint chosen) {
        endpoint = chosen;
        endpointStats = listener.endpointStats(chosen);
        attempts++;
        tried.set(chosen.index());
        chosen.activeRequests().incrementAndGet();
        Upstream idle = UpstreamPool.of(ctx.channel().eventLoop()).acquire(chosen);
        if (idle != null) {
            upstreamReused = true;
            attach(idle);
            return;
        }
        upstreamReused = false;
        phase = Phase.CONNECTING;
        Upstream fresh = new Upstream(chosen, pool.config().timeouts().idle().toNanos());
        Bootstrap b = listener.bootstrap(ctx.channel().eventLoop())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) pool.config().timeouts().connect().toMillis())
                .handler(fresh);
        upstream = fresh;
        b.connect(chosen.socketAddress()).addListener(onConnect);
    }

    private void connected(ChannelFuture f) {
        Upstream u = upstream;
        if (phase != Phase.CONNECTING || u == null || u.channel() != f.channel()) {
            f.channel().close();
            return;
        }
        if (!f.isSuccess()) {
            endpointStats.connectError();
            abandonAttempt(true);
            retryOrFail(502);
            return;
        }
        chosenConnected(u);
    }

    private void chosenConnected(Upstream u) {
        endpoint.connections().add(u.channel());
        if (pool.config().proxyProtocol()) {
            // Once per upstream connection, before its first request: who the client of that connection is.
            u.channel().write(ProxyProtocolV2.encode(u.channel().alloc(), (InetSocketAddress) ctx.channel().remoteAddress(),
                    (InetSocketAddress) ctx.channel().localAddress()));
        }
        attach(u);
    }

    private void attach(Upstream u) {
        upstream = u;
        u.owner(this);
        phase = Phase.EXCHANGE;
        if (sentHead == null) {
            sentHead = ctx.alloc().directBuffer(codecs.request.length() + 128);
            codecs.request.writeUpstream(sentHead, clientIp, true, listener.https());
        }
        boolean retryable = codecs.request.idempotent() && codecs.request.framing() == Framing.NONE;
        if (retryable) {
            u.channel().write(sentHead.retainedDuplicate(), u.channel().voidPromise());
        } else {
            u.channel().write(sentHead, u.channel().voidPromise());
            sentHead = null;
        }
        if (!requestDone) {
            forwardRequestBody();
        }
        u.channel().flush();
        if (requestDone) {
            awaitResponse();
        } else {
            awaitBody();
        }
        u.channel().read();
    }

    /** The request is sent: from now until the response starts, the backend has the pool's request timeout. */
    private void awaitResponse() {
        timer.restart(pool.config().timeouts().request().toNanos());
    }

    /**
     * The client owes body bytes: from now it has the listener's header_read to send more (see {@link #uploadStalled}),
     * unless it waits for the backend's {@code 100 Continue}, which is the backend's to send within the request timeout.
     */
    private void awaitBody() {
        backendStalled = false;
        if (!responseStarted) {
            timer.restart(awaitingContinue ? pool.config().timeouts().request().toNanos()
                    : listener.config().headerReadTimeout().toNanos());
        }
    }

    private void readBody() {
        awaitBody();
        ctx.read();
    }

    /** Sends the body bytes in {@link #inbound} that belong to this request; asks for more when they run out. */
    private void forwardRequestBody() {
        if (inbound == null || !inbound.isReadable()) {
            if (inputShutdown) {
                closeAll(); // the client half-closed before its body ended
            } else {
                readBody();
            }
            return;
        }
        int n = codecs.requestBody.scan(inbound);
        if (n < 0) {
            // Malformed chunked framing: nothing more of it may reach the backend.
            listener.refusals().refused(Refusal.BAD_CHUNKED_BODY, codecs.requestBody.errorReason(), clientIp);
            failExchange(400);
            return;
        }
        if (n > 0) {
            awaitingContinue = false; // the client sends without waiting for the interim answer (as it may)
            upstream.channel().writeAndFlush(inbound.readRetainedSlice(n)).addListener(onUpstreamWrite);
        }
        if (codecs.requestBody.isComplete()) {
            requestDone = true;
            if (!responseStarted) {
                awaitResponse();
            }
        }
        if (!inbound.isReadable()) {
            inbound = release(inbound);
            if (!requestDone && inputShutdown) {
                closeAll();
            }
        }
    }

    // ---- upstream side ----

    void upstreamRead(Upstream u, ByteBuf buf) {
        if (u != upstream) {
            buf.release();
            return;
        }
        if (phase == Phase.TUNNEL) {
            ctx.writeAndFlush(buf).addListener(onClientTunnelWrite);
            return;
        }
        if (!responseStarted) {
            upstreamInbound = upstreamInbound == null ? buf
                    : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), upstreamInbound, buf);
            parseResponse();
        } else {
            forwardResponseBody(buf);
        }
    }

    private void parseResponse() {
        while (true) {
            int result = codecs.responseParser.parse(upstreamInbound, codecs.request);
            if (result == ParseResult.NEED_MORE) {
                upstream.channel().read();
                return;
            }
            if (result == ParseResult.ERROR) {
                endpointStats.reset();
                abandonAttempt(true);
                failExchange(502);
                return;
            }
            if (codecs.response.upgrade()) { // the parser accepts a 101 only for the request's WebSocket handshake
                startTunnel();
                return;
            }
            if (codecs.response.interim()) {
                // Interim (100 Continue, 103): relay it and wait for the final codecs.response.
                ByteBuf out = ctx.alloc().directBuffer(codecs.response.length() + 32);
                codecs.response.writeDownstream(out, true, clientHttp10(), null);
                ctx.writeAndFlush(out);
                if (awaitingContinue && codecs.response.status() == 100 && !requestDone) {
                    awaitingContinue = false;
                    awaitBody(); // the client's turn to send the body
                }
                codecs.responseParser.reset();
                continue;
            }
            timer.stop();
            sentHead = release(sentHead);
            responseStarted = true;
            codecs.responseBody.reset(codecs.response.framing(), codecs.response.contentLength());
            keepClient &= !codecs.response.mustCloseClient() && requestDone;
            ByteBuf out = ctx.alloc().directBuffer(codecs.response.length() + 160);
            codecs.response.writeDownstream(out, keepClient, clientHttp10(), stickyAssign == null ? null : RequestKeys.stickyHeader(pool.config(), stickyAssign));
            ctx.write(out, ctx.voidPromise()); // no promise per write: a failure reaches exceptionCaught
            ByteBuf rest = upstreamInbound;
            upstreamInbound = null;
            forwardResponseBody(rest);
            return;
        }
    }

    private void forwardResponseBody(ByteBuf buf) {
        int n = codecs.responseBody.scan(buf);
        if (n < 0) {
            buf.release();
            endpointStats.reset();
            abandonAttempt(true);
            closeAll();
            return;
        }
        boolean complete = codecs.responseBody.isComplete();
        boolean extra = buf.readableBytes() > n;
        if (n > 0 || !complete) {
            ctx.writeAndFlush(buf.readRetainedSlice(n), ctx.voidPromise());
            // more to come: read it while the client keeps up; channelWritabilityChanged resumes reading otherwise
            if (!complete && ctx.channel().isWritable()) {
                upstream.channel().read();
            }
        } else {
            ctx.flush();
        }
        buf.release();
        if (complete) {
            finishExchange(!extra);
        }
    }

    void upstreamClosed(Upstream u) {
        if (u != upstream) {
            return;
        }
        switch (phase) {
            case TUNNEL -> closeWhenWritten();
            case EXCHANGE -> {
                if (responseStarted && codecs.response.mustCloseClient()) {
                    finishExchange(false);
                } else if (responseStarted) {
                    endpointStats.reset(); // closed mid-body
                    abandonAttempt(true);
                    closeAll();
                } else {
                    // Closed before a response head: a dead backend, or a keep-alive connection it dropped.
                    // A reused connection the backend closed as we sent is no fault of the endpoint's
                    // and costs no retry; a fresh one that dies is.
                    endpointStats.reset();
                    abandonAttempt(!upstreamReused);
                    if (upstreamReused) {
                        attempts--;
                    }
                    retryOrFail(502);
                }
            }
            default -> { }
        }
    }

    /**
     * No progress on the request body within the wait {@link #awaitBody} set. Whose turn it was decides: a client that
     * stopped sending is answered 408, and nothing is held against the endpoint; a backend that stopped taking the body
     * (bytes still unsent to it) gets the rest of the request timeout, then counts as an upstream timeout.
     */
    private void uploadStalled() {
        ChannelOutboundBuffer unsent = upstream.channel().unsafe().outboundBuffer();
        boolean backendsTurn = awaitingContinue || unsent != null && unsent.totalPendingWriteBytes() > 0;
        if (!backendsTurn) {
            abandonAttempt(false);
            failExchange(408);
            return;
        }
        long rest = pool.config().timeouts().request().toNanos() - listener.config().headerReadTimeout().toNanos();
        if (!awaitingContinue && !backendStalled && rest > 0) {
            backendStalled = true;
            timer.restart(rest);
        } else {
            requestTimedOut();
        }
    }

    private void requestTimedOut() {
        if (phase != Phase.EXCHANGE || responseStarted) {
            return;
        }
        endpointStats.timeout();
        abandonAttempt(true);
        failExchange(504);
    }

    private void startTunnel() {
        timer.stop();
        phase = Phase.TUNNEL;
        onUpstreamTunnelWrite = f -> {
            if (f.isSuccess()) {
                ctx.read();
            } else {
                closeAll();
            }
        };
        onClientTunnelWrite = f -> {
            if (f.isSuccess() && upstream != null) {
                upstream.channel().read();
            } else {
                closeAll();
            }
        };
        responseStarted = true;
        ByteBuf out = ctx.alloc().directBuffer(codecs.response.length() + 32);
        codecs.response.writeDownstream(out, true, clientHttp10(), null);
        ctx.write(out);
        if (upstreamInbound.isReadable()) {
            ctx.write(upstreamInbound);
        } else {
            upstreamInbound.release();
        }
        upstreamInbound = null;
        ctx.flush();
        if (inbound != null && inbound.isReadable()) {
            upstream.channel().writeAndFlush(inbound);
        } else {
            release(inbound);
        }
        inbound = null;
        ctx.read();
        upstream.channel().read();
    }

    /** The response is complete: account for it, keep or drop the connections, and await the next codecs.request. */
    private void finishExchange(boolean upstreamReusable) {
        int status = codecs.response.status();
        long took = listener.ticker().nanos() - startNanos;
        listener.stats().response(status, took);
        endpointStats.response(status, took);
        endpoint.activeRequests().decrementAndGet();
        if (status >= 500) {
            pool.outcomes().failure(endpoint);
        } else {
            pool.outcomes().success(endpoint);
        }
        Upstream u = upstream;
        upstream = null;
        // A connection that began with a PROXY header speaks for one client only: never shared.
        if (upstreamReusable && codecs.response.keepAlive() && requestDone && !pool.config().proxyProtocol()) {
            UpstreamPool.of(ctx.channel().eventLoop()).release(u);
        } else {
            u.owner(null);
            u.channel().close();
        }
        resetExchange();
        if (keepClient) {
            awaitRequest();
        } else {
            phase = Phase.CLOSED;
            closeWhenWritten();
        }
    }

    /** Ends the current attempt on its endpoint without a response, closing its connection. */
    private void abandonAttempt(boolean countFailure) {
        timer.stop();
        if (endpoint != null) {
            endpoint.activeRequests().decrementAndGet();
            if (countFailure) {
                pool.outcomes().failure(endpoint);
            }
        }
        if (upstream != null) {
            // Cleared before the close: closing a connection still under way fails its connect at once, and
            // connected() must then find no attempt left to end (and no second decrement of activeRequests).
            Upstream u = upstream;
            upstream = null;
            u.owner(null);
            u.channel().close();
        }
        upstreamInbound = release(upstreamInbound);
        endpoint = null;
    }

    private void retryOrFail(int status) {
        boolean canRetry = sentHead != null || phase == Phase.CONNECTING;
        if (canRetry && attempts <= pool.config().retries() && ctx.channel().isActive()) {
            pickAndConnect();
        } else {
            failExchange(status);
        }
    }

    /** The proxy answers this request itself (an error) and closes the client connection. */
    private void failExchange(int status) {
        abandonAttempt(false);
        if (responseStarted) {
            closeAll();
            return;
        }
        listener.stats().response(status, listener.ticker().nanos() - startNanos);
        resetExchange();
        answerAndClose(status);
    }

    /** Answers a request the proxy will not forward, counted and logged by reason (rate-limited), and closes. */
    private void refuse(Refusal why, String detail) {
        listener.refusals().refused(why, detail, clientIp);
        answerAndClose(why.status());
    }

    private void answerAndClose(int status) {
        phase = Phase.CLOSED;
        timer.stop();
        ctx.writeAndFlush(HttpResponses.error(status)).addListener((ChannelFutureListener) this::lingerThenClose);
    }

    private void lingerThenClose(ChannelFuture f) {
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
    private void closeWhenWritten() {
        ChannelOutboundBuffer queued = ctx.channel().unsafe().outboundBuffer();
        if (queued == null || queued.totalPendingWriteBytes() == 0) {
            ctx.close();
        } else {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void closeAll() {
        phase = Phase.CLOSED;
        abandonAttempt(false);
        ctx.close();
    }

    private void resetExchange() {
        sentHead = release(sentHead);
        endpoint = null;
        pool = null;
        stickyAssign = null;
        codecs.requestParser.reset();
        codecs.responseParser.reset();
    }

    // ---- helpers ----

    private static ByteBuf release(ByteBuf buf) {
        ReferenceCountUtil.safeRelease(buf);
        return null;
    }

    private boolean clientHttp10() {
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
