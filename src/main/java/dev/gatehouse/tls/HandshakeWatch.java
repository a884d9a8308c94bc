package dev.gatehouse.tls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts a listener's handshakes by outcome and logs failed ones at most once per 10 s (a scanner or a client that
 * trusts no certificate of ours must not flood the log); then removes itself from the connection's pipeline.
 */
@ChannelHandler.Sharable
final class HandshakeWatch extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(HandshakeWatch.class);
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String listener;
    private final Counter ok;
    private final Counter failed;
    private final AtomicLong nextLog = new AtomicLong(System.nanoTime());
    private final AtomicLong unlogged = new AtomicLong();

    HandshakeWatch(String listener, MeterRegistry registry) {
        this.listener = listener;
        this.ok = counter(registry, listener, "ok");
        this.failed = counter(registry, listener, "failed");
    }

    private static Counter counter(MeterRegistry registry, String listener, String result) {
        return Counter.builder("gatehouse_tls_handshakes").description("TLS handshakes on a listener, by outcome")
                .tags("listener", listener, "result", result).register(registry);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                ok.increment();
            } else {
                failed.increment();
                logFailure(ctx, done.cause());
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void logFailure(ChannelHandlerContext ctx, Throwable cause) {
        long now = System.nanoTime();
        long at = nextLog.get();
        if (now - at < 0 || !nextLog.compareAndSet(at, now + LOG_EVERY_NANOS)) {
            unlogged.incrementAndGet();
            return;
        }
        LOG.info("listener {}: TLS handshake from {} failed: {} ({} more failures not logged since the last)", listener,
                ctx.channel().remoteAddress(), cause.toString(), unlogged.getAndSet(0));
    }
}
