package dev.gatehouse.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The event loops and socket types every listener and upstream connection runs on. One per process;
 * listeners share its group. A listener accepts on one of the event loops that also serve connections, not
 * on a separate acceptor thread: handing each new connection to another thread costs a wake-up and a context
 * switch per connection, which a proxy pinned to one CPU pays in full.
 */
public final class Transport {

    /** The socket layers Gatehouse runs on; {@link #create(int)} takes the first of them the platform offers. */
    public enum Kind {
        /** Linux io_uring: a loop's accepts, reads, writes and closes reach the kernel in one system call a turn. */
        IO_URING,
        /** Linux epoll, edge-triggered. */
        EPOLL,
        /** The JDK's selectors: everywhere else. */
        NIO;

        /** Why this kind cannot run here, or null when it can. */
        String unavailableBecause() {
            Throwable cause = switch (this) {
                case IO_URING -> IoUring.isAvailable() ? null : IoUring.unavailabilityCause();
                case EPOLL -> Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
                case NIO -> null;
            };
            return cause == null ? null : String.valueOf(cause.getMessage());
        }

        public boolean isAvailable() {
            return unavailableBecause() == null;
        }

        /** The name users write: {@code io_uring}, {@code epoll}, {@code nio}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Names the transport to use instead of the best available one (troubleshooting, comparisons). */
    public static final String KIND_VARIABLE = "GATEHOUSE_TRANSPORT";

    private static final int BACKLOG = 4096;
    private static final long QUIET_MILLIS = 100;
    private static final long SHUTDOWN_TIMEOUT_MILLIS = 5_000;
    private static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;
    /** Small marks: a relay stops reading one side once this much waits to be written to the other. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
    /** Netty's default read sizing, but one instance for all channels (the state lives in each channel's handle). */
    private static final RecvByteBufAllocator READ_SIZING = new AdaptiveRecvByteBufAllocator();
    /** Linux's TCP_QUICKACK (level IPPROTO_TCP, option 12), as an option both native transports pass to setsockopt. */
    static final ChannelOption<Integer> TCP_QUICKACK = new IntegerUnixChannelOption("TCP_QUICKACK", 6, 12);

    private final Kind kind;
    private final EventLoopGroup workers;
    private final Class<? extends ServerChannel> serverChannelClass;
    private final Class<? extends Channel> clientChannelClass;
    private final ChannelFactory<? extends Channel> clientChannels;

    private Transport(Kind kind, int workerThreads) {
        this.kind = kind;
        IoHandlerFactory io = switch (kind) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
        this.workers = new MultiThreadIoEventLoopGroup(workerThreads, io);
        switch (kind) {
            case IO_URING -> {
                serverChannelClass = IoUringServerSocketChannel.class;
                clientChannelClass = IoUringSocketChannel.class;
                clientChannels = IoUringSocketChannel::new;
            }
            case EPOLL -> {
                serverChannelClass = EpollServerSocketChannel.class;
                clientChannelClass = EpollSocketChannel.class;
                clientChannels = EpollSocketChannel::new;
            }
            default -> {
                serverChannelClass = NioServerSocketChannel.class;
                clientChannelClass = NioSocketChannel.class;
                clientChannels = NioSocketChannel::new;
            }
        }
    }

    /**
     * The kind named by {@value #KIND_VARIABLE} when it is set, else the first of {@link Kind} available here;
     * {@code workerThreads} 0 means one event loop per available processor.
     *
     * @throws IllegalArgumentException when the variable names no kind, or one this platform cannot run
     */
    public static Transport create(int workerThreads) {
        return create(workerThreads, chosen());
    }

    /**
     * The kind {@link #create(int)} runs on: the one {@value #KIND_VARIABLE} names, else the best available.
     *
     * @throws IllegalArgumentException when the variable names no kind, or one this platform cannot run
     */
    public static Kind chosen() {
        String named = System.getenv(KIND_VARIABLE);
        if (named == null || named.isBlank()) {
            return best();
        }
        Kind kind = parse(named);
        String unavailable = kind.unavailableBecause();
        if (unavailable != null) {
            throw new IllegalArgumentException(KIND_VARIABLE + "=" + named + ": not available here: " + unavailable);
        }
        return kind;
    }

    /** As {@link #create(int)}, on the given kind (tests, troubleshooting). */
    public static Transport create(int workerThreads, Kind kind) {
        if (workerThreads < 0) {
            throw new IllegalArgumentException("workerThreads must be >= 0, got " + workerThreads);
        }
        String unavailable = kind.unavailableBecause();
        if (unavailable != null) {
            throw new IllegalArgumentException("transport " + kind.label() + " is not available here: " + unavailable);
        }
        int threads = workerThreads == 0 ? Runtime.getRuntime().availableProcessors() : workerThreads;
        return new Transport(kind, threads);
    }

    /** The first kind this platform can run. */
    public static Kind best() {
        for (Kind k : Kind.values()) {
            if (k.isAvailable()) {
                return k;
            }
        }
        return Kind.NIO;
    }

    static Kind parse(String named) {
        for (Kind k : Kind.values()) {
            if (k.label().equals(named.trim().toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException(KIND_VARIABLE + "=" + named + ": expected io_uring, epoll or nio");
    }

    public Kind kind() {
        return kind;
    }

    public EventLoopGroup workerGroup() {
        return workers;
    }

    public Class<? extends ServerChannel> serverChannelClass() {
        return serverChannelClass;
    }

    public Class<? extends Channel> clientChannelClass() {
        return clientChannelClass;
    }

    /**
     * A server bootstrap on this transport's groups with the listener socket options set; the caller adds
     * its child handler (and any protocol-specific child options) and binds.
     *
     * @param onVip the listener binds on a cluster VIP: on a native transport it may bind before the address is on
     *     the host (IP_FREEBIND), so a new owner listens before its driver adds and announces the address, and no
     *     client that follows the announcement meets a closed port
     */
    public ServerBootstrap serverBootstrap(boolean onVip) {
        ServerBootstrap b = new ServerBootstrap();
        if (onVip && kind == Kind.EPOLL) {
            b.option(EpollChannelOption.IP_FREEBIND, true);
        } else if (onVip && kind == Kind.IO_URING) {
            b.option(IoUringChannelOption.IP_FREEBIND, true);
        }
        return b
                .group(workers)
                .channel(serverChannelClass)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOCATOR, ALLOCATOR)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, READ_SIZING);
    }

    /**
     * For a listening socket of a protocol where the client speaks first and the server answers: the sockets it
     * accepts delay their acknowledgements (TCP_QUICKACK off, which they inherit), so the ACK of a request rides
     * on the response instead of being a packet of its own (one in ten of a connection per request). As HAProxy
     * does on HTTP frontends. Only after listen(2), which resets the setting.
     */
    public void delayAcks(Channel listening) {
        if (kind != Kind.NIO) {
            listening.config().setOption(TCP_QUICKACK, 0);
        }
    }

    /**
     * A new, unregistered upstream socket with the same options as accepted ones. TCP_NODELAY is not among them:
     * Netty's socket channels turn it on when they are made, and setting it again would cost a system call per
     * connection.
     */
    public Channel newClientChannel() {
        Channel ch = clientChannels.newChannel();
        ChannelConfig config = ch.config();
        config.setAutoRead(false);
        config.setAllocator(ALLOCATOR);
        config.setWriteBufferWaterMark(WATER_MARK);
        config.setRecvByteBufAllocator(READ_SIZING);
        return ch;
    }

    /**
     * Stops the event loops; completes when they have terminated. Connections are drained before this by
     * stopping the listeners, so the quiet period is short.
     */
    public Future<Void> shutdownGracefully() {
        Promise<Void> done = GlobalEventExecutor.INSTANCE.newPromise();
        workers.shutdownGracefully(QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .addListener(w -> done.setSuccess(null));
        return done;
    }
}
