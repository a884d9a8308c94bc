package dev.gatehouse.proxy.tcp;

import dev.gatehouse.accesslog.AccessLog;
import dev.gatehouse.accesslog.Entry;
import dev.gatehouse.accesslog.Termination;
import dev.gatehouse.balance.HashKeys;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.metrics.ListenerStats;
import dev.gatehouse.proxy.ProxyProtocolV2;
import dev.gatehouse.proxy.UpstreamConnector;
import dev.gatehouse.route.ResolvedPool;
import dev.gatehouse.time.Ticker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.BitSet;

/**
 * One client connection relayed to one endpoint, both channels on the same event loop.
 *
 * <p>Each direction reads a chunk only when asked to: after a chunk is written and flushed to the other
 * side, the next is read at once if that side is still writable, otherwise when it becomes writable
 * again. So at most a write-buffer high-water mark plus one chunk waits in memory per direction however
 * fast one peer sends and however slowly the other reads.
 *
 * <p>Netty's native transports (io_uring and epoll) read a socket to its end as soon as the peer's FIN
 * arrives, asked or not. Client bytes that come that way before the upstream is connected are held and sent
 * first once it is.
 *
 * <p>A FIN from one peer is passed on as a FIN to the other once everything before it is flushed; the
 * other direction keeps flowing until it ends too, then both channels close. A reset, an error or the
 * idle timeout closes both at once.
 *
 * <p>While the listener's access log is on, the relay keeps the connection's figures and hands the log one line when
 * the client channel closes, with the first reason it saw for the end.
 */
final class TcpRelay implements UpstreamConnector.Callback {

    private final ResolvedPool pool;
    private final UpstreamConnector connector;
    private final ListenerStats stats;
    private final Side client = new Side(true);
    private final Side upstream = new Side(false);
    private final AccessLog log;
    private final Ticker ticker;
    // The access log's figures, kept only while it is on.
    private final boolean logging;
    private BitSet tried;
    private Endpoint endpoint;
    private long startNanos;
    private long connectNanos = -1;
    private long firstByteNanos = -1;
    private long bytesIn;
    private long bytesOut;
    private Termination ending;

    TcpRelay(ResolvedPool pool, UpstreamConnector connector, ListenerStats stats, AccessLog log, Ticker ticker) {
        this.pool = pool;
        this.connector = connector;
        this.stats = stats;
        this.log = log;
        this.ticker = ticker;
        this.logging = log.on();
    }

    /** The handler to install on the client channel; it starts the upstream connect when the client is active. */
    Side clientSide() {
        return client;
    }

    @Override
    public void connected(Channel up, Endpoint endpoint) {
        Channel down = client.channel;
        this.endpoint = endpoint;
        if (logging) {
            connectNanos = ticker.nanos() - startNanos;
        }
        if (!down.isActive()) {
            up.close();
            return;
        }
        up.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, Boolean.TRUE);
        up.pipeline().addLast(upstream);
        if (pool.config().proxyProtocol()) {
            // Flushed now: a server-speaks-first protocol waits for the header before its greeting.
            up.writeAndFlush(ProxyProtocolV2.encode(up.alloc(),
                    (InetSocketAddress) down.remoteAddress(), (InetSocketAddress) down.localAddress()), up.voidPromise());
        }
        client.startRelay();
        up.read();
    }

    @Override
    public void noEndpoint() {
        end(Termination.NO_ENDPOINT);
        client.channel.close();
    }

    @Override
    public void connectFailed(Throwable cause) {
        end(cause instanceof ConnectTimeoutException ? Termination.CONNECT_TIMEOUT : Termination.CONNECT_FAILED);
        client.channel.close();
    }

    /** The first reason seen for the end is the one logged. */
    private void end(Termination why) {
        if (ending == null) {
            ending = why;
        }
    }

    /** The client channel closed: the connection's line, if the log is on and samples it. */
    private void logLine() {
        if (!logging || !log.sample()) {
            return;
        }
        log.submit(new Entry(log.wallMillis(), (InetSocketAddress) client.channel.remoteAddress(), log.listener(), -1,
                pool.config().name(), endpoint == null ? null : endpoint.address(), 0, bytesIn, bytesOut, connectNanos,
                firstByteNanos, ticker.nanos() - startNanos, tried == null ? 0 : Math.max(0, tried.cardinality() - 1),
                ending == null ? Termination.CLIENT_CLOSED : ending));
    }

    private void closeBoth() {
        client.channel.close();
        if (upstream.channel != null) {
            upstream.channel.close();
        }
    }

    /** The handler on one of the two channels: moves what that channel reads to the other. */
    final class Side extends ChannelInboundHandlerAdapter implements ChannelFutureListener {

        private final boolean fromClient;
        private Channel channel;
        private boolean inputDone;
        /** This direction has ended: all it read was flushed to the other side and the other side's output shut. */
        private boolean finished;
        /** What the transport read from the client before the upstream was connected; null when nothing. */
        private CompositeByteBuf early;

        private Side(boolean fromClient) {
            this.fromClient = fromClient;
        }

        private Side other() {
            return fromClient ? upstream : client;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // The upstream side sees this too: a connect promise completes before its channel goes active.
            if (fromClient) {
                if (logging) {
                    startNanos = ticker.nanos();
                    tried = new BitSet();
                }
                connector.connect(ctx.channel().eventLoop(), pool,
                        HashKeys.of(((InetSocketAddress) ctx.channel().remoteAddress()).getAddress()), tried, TcpRelay.this);
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            int n = ((ByteBuf) msg).readableBytes();
            if (fromClient) {
                stats.addBytesIn(n);
                bytesIn += n;
            } else {
                stats.addBytesOut(n);
                if (logging && firstByteNanos < 0) {
                    firstByteNanos = ticker.nanos() - startNanos;
                }
                bytesOut += n;
            }
            Channel out = other().channel;
            if (out == null) {
                if (early == null) {
                    early = ctx.alloc().compositeBuffer();
                }
                early.addComponent(true, (ByteBuf) msg);
                return;
            }
            out.write(msg, out.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            Channel out = other().channel;
            if (out == null) {
                return;
            }
            out.flush();
            if (out.isWritable() && !inputDone) {
                ctx.read();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                other().resume();
            }
            ctx.fireChannelWritabilityChanged();
        }

        private void resume() {
            if (channel != null && !inputDone) {
                channel.read();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                inputDone = true;
                if (other().channel != null) {
                    passOnFin();
                }
            } else if (evt instanceof IdleStateEvent) {
                end(Termination.CLIENT_TIMEOUT);
                closeBoth();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        /** Client side, once the upstream is connected: sends what came early, then reads on. */
        private void startRelay() {
            Channel out = upstream.channel;
            if (early != null) {
                out.write(early, out.voidPromise());
                early = null;
            }
            if (inputDone) {
                passOnFin();
            } else {
                out.flush();
                channel.read();
            }
        }

        private void passOnFin() {
            other().channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(this);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (early != null) {
                early.release();
                early = null;
            }
        }

        /** Everything this side read before its FIN has reached the other side's socket. */
        @Override
        public void operationComplete(ChannelFuture flushed) {
            if (!flushed.isSuccess()) {
                closeBoth();
                return;
            }
            ((DuplexChannel) other().channel).shutdownOutput();
            finished = true;
            if (other().finished) {
                end(Termination.NORMAL);
                closeBoth();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end(fromClient ? Termination.CLIENT_CLOSED : Termination.SERVER_CLOSED);
            if (fromClient) {
                logLine();
            }
            Channel peer = other().channel;
            if (peer != null) {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            end(fromClient ? Termination.CLIENT_CLOSED : Termination.SERVER_CLOSED);
            closeBoth();
        }
    }
}
