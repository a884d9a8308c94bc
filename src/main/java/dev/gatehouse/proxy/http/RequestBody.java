package dev.gatehouse.proxy.http;

import dev.gatehouse.accesslog.Termination;
import dev.gatehouse.proxy.http.ClientConnection.Phase;
import dev.gatehouse.proxy.http.codec.Framing;
import dev.gatehouse.proxy.http.codec.Refusal;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOutboundBuffer;

/**
 * A request body on its way to the backend: its first chunk line checked before anything is forwarded, its bytes
 * framed and relayed as the backend takes them, and whose turn it is when the upload stalls.
 */
final class RequestBody {

    private static final int MAX_CHUNK_LINE = 1024;

    private RequestBody() {}

    /**
     * A chunked body's first size line is checked before a backend sees the head, so a malformed body is
     * refused with nothing forwarded. Returns false while waiting for that line (or after refusing).
     */
    static boolean firstChunkLineValid(ClientConnection c) {
        ByteBuf inbound = c.inbound;
        int eol = inbound == null ? -1 : inbound.indexOf(inbound.readerIndex(), inbound.writerIndex(), (byte) '\n');
        if (eol < 0) {
            if (inbound != null && inbound.readableBytes() > MAX_CHUNK_LINE) {
                c.refuse(Refusal.BAD_CHUNKED_BODY, "first chunk-size line too long");
            } else if (c.phase != Phase.BODY_START) {
                c.phase = Phase.BODY_START;
                c.timer.restart(c.listener.config().headerReadTimeout().toNanos());
                c.ctx.read();
            } else {
                c.ctx.read();
            }
            return false;
        }
        ExchangeCodecs codecs = c.codecs;
        codecs.chunkProbe.reset(Framing.CHUNKED, -1);
        if (codecs.chunkProbe.scan(inbound.slice(inbound.readerIndex(), eol + 1 - inbound.readerIndex())) < 0) {
            c.listener.refusals().refused(Refusal.BAD_CHUNKED_BODY, codecs.chunkProbe.errorReason(), c.clientIp);
            UpstreamExchange.fail(c, 400, Termination.BAD_REQUEST);
            return false;
        }
        c.timer.stop();
        return true;
    }

    /**
     * The client owes body bytes: from now it has the listener's header_read to send more (see {@link #uploadStalled}),
     * unless it waits for the backend's {@code 100 Continue}, which is the backend's to send within the request timeout.
     */
    static void await(ClientConnection c) {
        c.backendStalled = false;
        if (!c.responseStarted) {
            c.timer.restart(c.awaitingContinue ? c.pool().config().timeouts().request().toNanos()
                    : c.listener.config().headerReadTimeout().toNanos());
        }
    }

    /** Asks the client for more of the body. */
    static void read(ClientConnection c) {
        await(c);
        c.ctx.read();
    }

    /** Sends the body bytes in the connection's inbound buffer that belong to this request; asks for more when they run out. */
    static void forward(ClientConnection c) {
        if (c.inbound == null || !c.inbound.isReadable()) {
            if (c.inputShutdown) {
                c.closeAll(Termination.CLIENT_CLOSED); // the client half-closed before its body ended
            } else {
                read(c);
            }
            return;
        }
        ExchangeCodecs codecs = c.codecs;
        int n = codecs.requestBody.scan(c.inbound);
        if (n < 0) {
            // Malformed chunked framing: nothing more of it may reach the backend.
            c.listener.refusals().refused(Refusal.BAD_CHUNKED_BODY, codecs.requestBody.errorReason(), c.clientIp);
            UpstreamExchange.fail(c, 400, Termination.BAD_REQUEST);
            return;
        }
        if (n > 0) {
            c.bytesIn += n;
            c.awaitingContinue = false; // the client sends without waiting for the interim answer (as it may)
            c.upstream.channel().writeAndFlush(c.inbound.readRetainedSlice(n)).addListener(c.onUpstreamWrite);
        }
        if (codecs.requestBody.isComplete()) {
            c.requestDone = true;
            if (!c.responseStarted) {
                UpstreamExchange.awaitResponse(c);
            }
        }
        if (!c.inbound.isReadable()) {
            c.inbound = ClientConnection.release(c.inbound);
            if (!c.requestDone && c.inputShutdown) {
                c.closeAll(Termination.CLIENT_CLOSED);
            }
        }
    }

    /**
     * No progress on the request body within the wait {@link #await} set. Whose turn it was decides: a client that
     * stopped sending is answered 408, and nothing is held against the endpoint; a backend that stopped taking the body
     * (bytes still unsent to it) gets the rest of the request timeout, then counts as an upstream timeout.
     */
    static void uploadStalled(ClientConnection c) {
        ChannelOutboundBuffer unsent = c.upstream.channel().unsafe().outboundBuffer();
        boolean backendsTurn = c.awaitingContinue || unsent != null && unsent.totalPendingWriteBytes() > 0;
        if (!backendsTurn) {
            UpstreamExchange.abandon(c, false);
            UpstreamExchange.fail(c, 408, Termination.CLIENT_TIMEOUT);
            return;
        }
        long rest = c.pool().config().timeouts().request().toNanos() - c.listener.config().headerReadTimeout().toNanos();
        if (!c.awaitingContinue && !c.backendStalled && rest > 0) {
            c.backendStalled = true;
            c.timer.restart(rest);
        } else {
            UpstreamExchange.requestTimedOut(c);
        }
    }
}
