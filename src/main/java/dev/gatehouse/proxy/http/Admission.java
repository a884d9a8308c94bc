package dev.gatehouse.proxy.http;

import dev.gatehouse.accesslog.Termination;
import dev.gatehouse.limit.ClientState;
import dev.gatehouse.proxy.http.ClientConnection.Phase;
import dev.gatehouse.proxy.http.codec.Framing;
import dev.gatehouse.proxy.http.codec.HttpResponses;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;

/** Rate admission of each request: its client's token, or a 429 that reaches no backend. */
final class Admission {

    private static final long SECOND = 1_000_000_000L;

    private Admission() {}

    /** Whether the request on {@code c} may go on; when not, it is being answered. */
    static boolean admit(ClientConnection c) {
        HttpListener listener = c.listener;
        if (c.client == ClientState.UNLIMITED && listener.limiter().limited()) {
            c.client = listener.limiter().attach(c.clientAddress); // limits came with a reload after this connection opened
        }
        long wait = listener.limiter().acquire(c.client, c.startNanos);
        if (wait != 0) {
            refuseOverRate(c, wait);
            return false;
        }
        return true;
    }

    /**
     * Answers 429 to a request over its client's rate; nothing reaches a backend. The connection stays open for the
     * next request when this one has no body to skip and the client keeps it alive.
     */
    private static void refuseOverRate(ClientConnection c, long waitNanos) {
        HttpListener listener = c.listener;
        ExchangeCodecs codecs = c.codecs;
        listener.stats().refuseByRate();
        listener.stats().response(429, listener.ticker().nanos() - c.startNanos);
        boolean keep = codecs.request.keepAlive() && codecs.request.framing() == Framing.NONE && !listener.draining();
        ByteBuf answer = HttpResponses.tooManyRequests(c.ctx.alloc(), Math.max(1, (waitNanos + SECOND - 1) / SECOND), keep,
                c.clientHttp10());
        RequestLog.answered(c, 429, Termination.LIMITED, answer.readableBytes());
        if (!keep) {
            c.phase = Phase.CLOSED;
            c.timer.stop();
            c.ctx.writeAndFlush(answer).addListener((ChannelFutureListener) c::lingerThenClose);
            return;
        }
        c.phase = Phase.ANSWERING;
        codecs.requestParser.reset();
        if (c.inbound != null && !c.inbound.isReadable()) {
            c.inbound = ClientConnection.release(c.inbound);
        }
        c.timer.restart(listener.config().idleTimeout().toNanos());
        c.ctx.writeAndFlush(answer).addListener(c.afterAnswer);
    }
}
