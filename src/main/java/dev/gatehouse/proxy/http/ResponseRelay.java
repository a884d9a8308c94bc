package dev.gatehouse.proxy.http;

import dev.gatehouse.accesslog.Termination;
import dev.gatehouse.proxy.http.ClientConnection.Phase;
import dev.gatehouse.proxy.http.codec.ParseResult;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * The backend's answer on its way to the client: interim responses relayed, the final head rewritten for the
 * client, the body framed and relayed as the client takes it, and what a backend that breaks off means.
 */
final class ResponseRelay {

    private ResponseRelay() {}

    /** Bytes from the backend connection {@code u}. */
    static void read(ClientConnection c, Upstream u, ByteBuf buf) {
        if (u != c.upstream) {
            buf.release();
            return;
        }
        if (c.phase == Phase.TUNNEL) {
            UpgradeTunnel.fromBackend(c, buf);
            return;
        }
        if (!c.responseStarted) {
            c.upstreamInbound = c.upstreamInbound == null ? buf
                    : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(c.ctx.alloc(), c.upstreamInbound, buf);
            parseHead(c);
        } else {
            forwardBody(c, buf);
        }
    }

    private static void parseHead(ClientConnection c) {
        ExchangeCodecs codecs = c.codecs;
        while (true) {
            int result = codecs.responseParser.parse(c.upstreamInbound, codecs.request);
            if (result == ParseResult.NEED_MORE) {
                c.upstream.channel().read();
                return;
            }
            if (result == ParseResult.ERROR) {
                c.endpointStats.reset();
                UpstreamExchange.abandon(c, true);
                UpstreamExchange.fail(c, 502, Termination.SERVER_HEAD);
                return;
            }
            if (codecs.response.upgrade()) { // the parser accepts a 101 only for the request's WebSocket handshake
                UpgradeTunnel.start(c);
                return;
            }
            if (codecs.response.interim()) {
                // Interim (100 Continue, 103): relay it and wait for the final response.
                ByteBuf out = c.ctx.alloc().directBuffer(codecs.response.length() + 32);
                codecs.response.writeDownstream(out, true, c.clientHttp10(), null);
                c.bytesOut += out.readableBytes();
                c.ctx.writeAndFlush(out);
                if (c.awaitingContinue && codecs.response.status() == 100 && !c.requestDone) {
                    c.awaitingContinue = false;
                    RequestBody.await(c); // the client's turn to send the body
                }
                codecs.responseParser.reset();
                continue;
            }
            c.timer.stop();
            c.sentHead = ClientConnection.release(c.sentHead);
            c.responseStarted = true;
            RequestLog.firstByte(c);
            codecs.responseBody.reset(codecs.response.framing(), codecs.response.contentLength());
            c.keepClient &= !codecs.response.mustCloseClient() && c.requestDone;
            ByteBuf out = c.ctx.alloc().directBuffer(codecs.response.length() + 160);
            codecs.response.writeDownstream(out, c.keepClient, c.clientHttp10(),
                    c.stickyAssign == null ? null : RequestKeys.stickyHeader(c.pool().config(), c.stickyAssign));
            c.bytesOut += out.readableBytes();
            c.ctx.write(out, c.ctx.voidPromise()); // no promise per write: a failure reaches exceptionCaught
            ByteBuf rest = c.upstreamInbound;
            c.upstreamInbound = null;
            forwardBody(c, rest);
            return;
        }
    }

    private static void forwardBody(ClientConnection c, ByteBuf buf) {
        ExchangeCodecs codecs = c.codecs;
        int n = codecs.responseBody.scan(buf);
        if (n < 0) {
            buf.release();
            c.endpointStats.reset();
            UpstreamExchange.abandon(c, true);
            c.closeAll(Termination.SERVER_CLOSED);
            return;
        }
        boolean complete = codecs.responseBody.isComplete();
        boolean extra = buf.readableBytes() > n;
        c.bytesOut += n;
        if (n > 0 || !complete) {
            c.ctx.writeAndFlush(buf.readRetainedSlice(n), c.ctx.voidPromise());
            // more to come: read it while the client keeps up; channelWritabilityChanged resumes reading otherwise
            if (!complete && c.ctx.channel().isWritable()) {
                c.upstream.channel().read();
            }
        } else {
            c.ctx.flush();
        }
        buf.release();
        if (complete) {
            UpstreamExchange.finish(c, !extra);
        }
    }

    /** The backend connection {@code u} closed. */
    static void closed(ClientConnection c, Upstream u) {
        if (u != c.upstream) {
            return;
        }
        switch (c.phase) {
            case TUNNEL -> c.closeWhenWritten();
            case EXCHANGE -> {
                if (c.responseStarted && c.codecs.response.mustCloseClient()) {
                    UpstreamExchange.finish(c, false);
                } else if (c.responseStarted) {
                    c.endpointStats.reset(); // closed mid-body
                    UpstreamExchange.abandon(c, true);
                    c.closeAll(Termination.SERVER_CLOSED);
                } else {
                    // Closed before a response head: a dead backend, or a keep-alive connection it dropped.
                    // A reused connection the backend closed as we sent is no fault of the endpoint's
                    // and costs no retry; a fresh one that dies is.
                    c.endpointStats.reset();
                    UpstreamExchange.abandon(c, !c.upstreamReused);
                    if (c.upstreamReused) {
                        c.codecs.choice.refund();
                    }
                    UpstreamExchange.retryOrFail(c, 502, Termination.SERVER_HEAD);
                }
            }
            default -> { }
        }
    }
}
