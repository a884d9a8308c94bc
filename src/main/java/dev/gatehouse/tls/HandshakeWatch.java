package dev.gatehouse.tls;

import dev.gatehouse.time.LogGate;
import dev.gatehouse.time.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts a listener's handshakes by outcome and logs failed ones at most once per 10 s (a scanner or a client that
 * trusts no certificate of ours must not flood the log); then removes itself from the connection's pipeline.
 */
@ChannelHandler.Sharable
final class HandshakeWatch extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(HandshakeWatch.class);

    private final String listener;
    private final Counter ok;
    private final Counter failed;
    private final LogGate gate = new LogGate(Ticker.system(), Duration.ofSeconds(10));

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
        long held = gate.pass();
        if (held >= 0) {
            LOG.info("listener {}: TLS handshake from {} failed: {} ({} more failures not logged since the last)", listener,
                    ctx.channel().remoteAddress(), cause.toString(), held);
        }
    }
}
