package dev.gatehouse.proxy.http;

import dev.gatehouse.accesslog.Termination;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.proxy.ProxyProtocolV2;
import dev.gatehouse.proxy.http.ClientConnection.Phase;
import dev.gatehouse.proxy.http.codec.Framing;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import java.net.InetSocketAddress;

/**
 * A request's exchange with its endpoint: a kept-alive connection of the event loop or a new one, the head sent
 * (kept while the request may be retried), the retry on another endpoint, and how it ended, counted for the
 * endpoint's metrics, its in-flight requests and the pool's outcome listener.
 */
final class UpstreamExchange {

    private UpstreamExchange() {}

    /** Sends the request to {@code chosen}, on an idle connection to it if the event loop has one. */
    static void use(ClientConnection c, Endpoint chosen) {
        c.endpoint = chosen;
        c.endpointStats = c.listener.endpointStats(chosen);
        c.codecs.choice.attempt(chosen);
        chosen.activeRequests().incrementAndGet();
        Upstream idle = UpstreamPool.of(c.ctx.channel().eventLoop()).acquire(chosen);
        if (idle != null) {
            c.upstreamReused = true;
            attach(c, idle);
            return;
        }
        c.upstreamReused = false;
        c.phase = Phase.CONNECTING;
        RequestLog.dialing(c);
        Upstream fresh = new Upstream(chosen, c.pool().config().timeouts().idle().toNanos());
        c.upstream = fresh;
        c.listener.connector().dial(c.ctx.channel().eventLoop(), chosen, c.pool(), fresh).addListener(c.onConnect);
    }

    static void connected(ClientConnection c, ChannelFuture f) {
        Upstream u = c.upstream;
        if (c.phase != Phase.CONNECTING || u == null || u.channel() != f.channel()) {
            f.channel().close();
            return;
        }
        if (!f.isSuccess()) {
            c.endpointStats.connectError();
            abandon(c, true);
            retryOrFail(c, 502, f.cause() instanceof ConnectTimeoutException ? Termination.CONNECT_TIMEOUT : Termination.CONNECT_FAILED);
            return;
        }
        RequestLog.connected(c);
        c.endpoint.connections().add(u.channel());
        if (c.pool().config().proxyProtocol()) {
            // Once per upstream connection, before its first request: who the client of that connection is.
            u.channel().write(ProxyProtocolV2.encode(u.channel().alloc(), (InetSocketAddress) c.ctx.channel().remoteAddress(),
                    (InetSocketAddress) c.ctx.channel().localAddress()));
        }
        attach(c, u);
    }

    private static void attach(ClientConnection c, Upstream u) {
        ExchangeCodecs codecs = c.codecs;
        c.upstream = u;
        u.owner(c);
        c.phase = Phase.EXCHANGE;
        if (c.sentHead == null) {
            c.sentHead = c.ctx.alloc().directBuffer(codecs.request.length() + 128);
            codecs.request.writeUpstream(c.sentHead, c.clientIp, true, c.https, c.clientSubject());
        }
        boolean retryable = codecs.request.idempotent() && codecs.request.framing() == Framing.NONE;
        if (retryable) {
            u.channel().write(c.sentHead.retainedDuplicate(), u.channel().voidPromise());
        } else {
            u.channel().write(c.sentHead, u.channel().voidPromise());
            c.sentHead = null;
        }
        if (!c.requestDone) {
            RequestBody.forward(c);
        }
        u.channel().flush();
        if (c.requestDone) {
            awaitResponse(c);
        } else {
            RequestBody.await(c);
        }
        u.channel().read();
    }

    /** The request is sent: from now until the response starts, the backend has the pool's request timeout. */
    static void awaitResponse(ClientConnection c) {
        c.timer.restart(c.pool().config().timeouts().request().toNanos());
    }

    static void requestTimedOut(ClientConnection c) {
        if (c.phase != Phase.EXCHANGE || c.responseStarted) {
            return;
        }
        c.endpointStats.timeout();
        abandon(c, true);
        fail(c, 504, Termination.SERVER_TIMEOUT);
    }

    /** The response is complete: account for it, keep or drop the connections, and await the next request. */
    static void finish(ClientConnection c, boolean upstreamReusable) {
        ExchangeCodecs codecs = c.codecs;
        int status = codecs.response.status();
        long took = c.listener.ticker().nanos() - c.startNanos;
        c.listener.stats().response(status, took);
        c.endpointStats.response(status, took);
        c.endpoint.activeRequests().decrementAndGet();
        if (status >= 500) {
            codecs.choice.failed(c.endpoint);
        } else {
            codecs.choice.succeeded(c.endpoint);
        }
        RequestLog.end(c, status, Termination.NORMAL);
        Upstream u = c.upstream;
        c.upstream = null;
        // A connection that began with a PROXY header speaks for one client only: never shared.
        if (upstreamReusable && codecs.response.keepAlive() && c.requestDone && !c.pool().config().proxyProtocol()) {
            UpstreamPool.of(c.ctx.channel().eventLoop()).release(u);
        } else {
            u.owner(null);
            u.channel().close();
        }
        reset(c);
        if (c.keepClient) {
            c.awaitRequest();
        } else {
            c.phase = Phase.CLOSED;
            c.closeWhenWritten();
        }
    }

    /** Ends the current attempt on its endpoint without a response, closing its connection. */
    static void abandon(ClientConnection c, boolean countFailure) {
        c.timer.stop();
        if (c.endpoint != null) {
            c.endpoint.activeRequests().decrementAndGet();
            if (countFailure) {
                c.codecs.choice.failed(c.endpoint);
            }
        }
        if (c.upstream != null) {
            // Cleared before the close: closing a connection still under way fails its connect at once, and
            // connected() must then find no attempt left to end (and no second decrement of activeRequests).
            Upstream u = c.upstream;
            c.upstream = null;
            u.owner(null);
            u.channel().close();
        }
        c.upstreamInbound = ClientConnection.release(c.upstreamInbound);
        c.endpoint = null;
    }

    /** Tries another endpoint if the request allows it, else answers {@code status} for {@code why}. */
    static void retryOrFail(ClientConnection c, int status, Termination why) {
        boolean canRetry = c.sentHead != null || c.phase == Phase.CONNECTING;
        if (canRetry && c.codecs.choice.mayRetry() && c.ctx.channel().isActive()) {
            Routing.pickAndConnect(c, why);
        } else {
            fail(c, status, why);
        }
    }

    /** The proxy answers this request itself (an error) and closes the client connection. */
    static void fail(ClientConnection c, int status, Termination why) {
        abandon(c, false);
        if (c.responseStarted) {
            c.closeAll(why);
            return;
        }
        c.listener.stats().response(status, c.listener.ticker().nanos() - c.startNanos);
        reset(c);
        c.answerAndClose(status, why);
    }

    private static void reset(ClientConnection c) {
        c.sentHead = ClientConnection.release(c.sentHead);
        c.endpoint = null;
        c.stickyAssign = null;
        c.codecs.requestParser.reset();
        c.codecs.responseParser.reset();
    }
}
