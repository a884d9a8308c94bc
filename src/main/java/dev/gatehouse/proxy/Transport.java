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
import io.netty.channel.unix.UnixChannelOption;
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
import java.util.function.Supplier;

/**
 * The event loops and socket types every listener and upstream connection runs on. One per process;
 * listeners share its group. A listener accepts on one of the event loops that also serve connections, not
 * on a separate acceptor thread: handing each new connection to another thread costs a wake-up and a context
 * switch per connection, which a proxy pinned to one CPU pays in full.
 */
public final class Transport {

    /**
     * The socket layers Gatehouse runs on, each with what it takes to run one; {@link #create(int)} takes the first
     * of them the platform offers.
     */
    public enum Kind {
        /** Linux io_uring: a loop's accepts, reads, writes and closes reach the kernel in one system call a turn. */
        IO_URING(IoUring::unavailabilityCause, IoUringIoHandler::newFactory, IoUringServerSocketChannel.class,
                IoUringSocketChannel.class, IoUringSocketChannel::new, IoUringChannelOption.IP_FREEBIND),
        /** Linux epoll, edge-triggered. */
        EPOLL(Epoll::unavailabilityCause, EpollIoHandler::newFactory, EpollServerSocketChannel.class,
                EpollSocketChannel.class, EpollSocketChannel::new, EpollChannelOption.IP_FREEBIND),
        /** The JDK's selectors: everywhere else. */
        NIO(() -> null, NioIoHandler::newFactory, NioServerSocketChannel.class,
                NioSocketChannel.class, NioSocketChannel::new, null);

        private final Supplier<Throwable> unavailability;
        private final Supplier<IoHandlerFactory> io;
        private final Class<? extends ServerChannel> serverChannelClass;
        private final Class<? extends Channel> clientChannelClass;
        private final ChannelFactory<? extends Channel> clientChannels;
        /** IP_FREEBIND as this transport names it; null where it has none (NIO). */
        private final ChannelOption<Boolean> freeBind;

        Kind(Supplier<Throwable> unavailability, Supplier<IoHandlerFactory> io,
                Class<? extends ServerChannel> serverChannelClass, Class<? extends Channel> clientChannelClass,
                ChannelFactory<? extends Channel> clientChannels, ChannelOption<Boolean> freeBind) {
            this.unavailability = unavailability;
            this.io = io;
            this.serverChannelClass = serverChannelClass;
            this.clientChannelClass = clientChannelClass;
            this.clientChannels = clientChannels;
            this.freeBind = freeBind;
        }

        public boolean isAvailable() {
            return unavailability.get() == null;
        }

        /** The name users write: {@code io_uring}, {@code epoll}, {@code nio}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** A native transport: socket options go to setsockopt as given (TCP_QUICKACK, IP_FREEBIND). */
        private boolean isNative() {
            return freeBind != null;
        }
    }

    /** A transport was asked for that is unknown or that this platform cannot run; the message says which and why. */
    public static final class UnavailableException extends IllegalArgumentException {
        UnavailableException(String message) {
            super(message);
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

    private Transport(Kind kind, int workerThreads) {
        this.kind = kind;
        this.workers = new MultiThreadIoEventLoopGroup(workerThreads, kind.io.get());
    }

    /**
     * The kind named by {@value #KIND_VARIABLE} when it is set, else the first of {@link Kind} available here;
     * {@code workerThreads} 0 means one event loop per available processor.
     *
     * @throws UnavailableException when the variable names no kind, or one this platform cannot run
     */
    public static Transport create(int workerThreads) {
        String named = System.getenv(KIND_VARIABLE);
        return create(workerThreads, named == null || named.isBlank() ? best() : parse(named));
    }

    /**
     * As {@link #create(int)}, on the given kind.
     *
     * @throws UnavailableException when this platform cannot run it
     */
    public static Transport create(int workerThreads, Kind kind) {
        if (workerThreads < 0) {
            throw new IllegalArgumentException("workerThreads must be >= 0, got " + workerThreads);
        }
        Throwable unavailable = kind.unavailability.get();
        if (unavailable != null) {
            throw new UnavailableException("transport " + kind.label() + " is not available here: " + unavailable.getMessage());
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
        throw new UnavailableException(KIND_VARIABLE + "=" + named + ": expected io_uring, epoll or nio");
    }

    /**
     * Direct memory the data plane's pooled allocator holds: whole chunks, in use or kept for reuse. The JVM's
     * direct buffer pool does not count it (Netty takes this memory outside {@code ByteBuffer.allocateDirect}).
     */
    public static long pooledDirectMemory() {
        return PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    }

    public Kind kind() {
        return kind;
    }

    public EventLoopGroup workerGroup() {
        return workers;
    }

    public Class<? extends ServerChannel> serverChannelClass() {
        return kind.serverChannelClass;
    }

    public Class<? extends Channel> clientChannelClass() {
        return kind.clientChannelClass;
    }

    /**
     * A server bootstrap on this transport's groups with the listener socket options set; the caller adds
     * its child handler (and any protocol-specific child options) and binds.
     *
     * @param onVip the listener binds on a cluster VIP: on a native transport it may bind before the address is on
     *     the host (IP_FREEBIND), so a new owner listens before its driver adds and announces the address, and no
     *     client that follows the announcement meets a closed port; and it shares the port with the listener of
     *     another node on this host (SO_REUSEPORT), which then gets no new connections (see
     *     {@link NewestListenerFirst}), so a handover between two nodes on one host is make-before-break
     */
    public ServerBootstrap serverBootstrap(boolean onVip) {
        ServerBootstrap b = new ServerBootstrap();
        if (onVip && kind.isNative()) {
            b.option(kind.freeBind, true);
        }
        if (onVip && sharesVipPorts()) {
            b.option(UnixChannelOption.SO_REUSEPORT, true).handler(NewestListenerFirst.INSTANCE);
        }
        return b
                .group(workers)
                .channel(kind.serverChannelClass)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOCATOR, ALLOCATOR)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, READ_SIZING);
    }

    /**
     * Whether two VIP listeners on this host may hold one address and port at once, the newer taking every new
     * connection: on a native transport of a 64-bit Linux.
     */
    public boolean sharesVipPorts() {
        return kind.isNative() && NewestListenerFirst.supported();
    }

    /**
     * For a listening socket of a protocol where the client speaks first and the server answers: the sockets it
     * accepts delay their acknowledgements (TCP_QUICKACK off, which they inherit), so the ACK of a request rides
     * on the response instead of being a packet of its own (one in ten of a connection per request). As HAProxy
     * does on HTTP frontends. Only after listen(2), which resets the setting.
     */
    public void delayAcks(Channel listening) {
        if (kind.isNative()) {
            listening.config().setOption(TCP_QUICKACK, 0);
        }
    }

    /**
     * A new, unregistered upstream socket with the same options as accepted ones. TCP_NODELAY is not among them:
     * Netty's socket channels turn it on when they are made, and setting it again would cost a system call per
     * connection.
     */
    public Channel newClientChannel() {
        Channel ch = kind.clientChannels.newChannel();
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
