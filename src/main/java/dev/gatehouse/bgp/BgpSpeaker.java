package dev.gatehouse.bgp;

import dev.gatehouse.bfd.Bfd;
import dev.gatehouse.time.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An announce-only BGP-4 speaker: one {@link Session} per peer, all on one event loop thread of their own (the
 * control plane; no data-plane thread is involved). It announces host routes and withdraws them; what peers
 * announce is checked and dropped. Every public method may be called from any thread: it hops onto the loop.
 *
 * <p>Why in-process: routes must die with the process. A killed JVM's sockets are closed by the kernel, each peer
 * sees the connection end and drops the routes at once (no Graceful Restart is offered), where an external daemon
 * would keep announcing for a load balancer that is gone.
 *
 * <p>A peer with {@link PeerSettings#bfd} gets a BFD session beside its BGP session ({@link PeerBfd}), on the
 * process's {@link Bfd} loop, made here when the first such peer is, and closed with the speaker.
 */
public final class BgpSpeaker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BgpSpeaker.class);
    /** Timers are checked this often; hold and keepalive times are whole seconds, so this is plenty. */
    static final Duration TICK = Duration.ofMillis(20);
    /** How long {@link #close} waits for the Cease messages to go out. */
    private static final Duration CLOSE_FLUSH = Duration.ofMillis(200);

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Ticker ticker;
    private final BgpMetrics metrics;
    private final List<Session> sessions = new ArrayList<>();
    /** Null when no peer has BFD. */
    private final Bfd bfd;
    private final List<PeerBfd> bfdSessions = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** What is announced now, by address; touched on the loop only. */
    private final Map<InetAddress, Route> routes = new LinkedHashMap<>();
    /** Routes announced with GRACEFUL_SHUTDOWN, withdrawn at their deadline (ticker nanos); on the loop only. */
    private final Map<InetAddress, Long> drains = new LinkedHashMap<>();
    private volatile int announcedCount;

    private BgpSpeaker(List<PeerSettings> peers, BackOff backOff, Ticker ticker, MeterRegistry registry,
            BiConsumer<String, String> events) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        boolean md5 = peers.stream().anyMatch(p -> p.md5Key() != null);
        if (md5 && !Epoll.isAvailable()) {
            throw new IllegalStateException("TCP-MD5 (password_file) needs Netty's epoll transport, unavailable here: "
                    + Epoll.unavailabilityCause());
        }
        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.loop = group.next();
        this.metrics = new BgpMetrics(registry, () -> announcedCount);
        SessionListener listener = withEvents(metrics, events);
        this.bfd = peers.stream().anyMatch(p -> p.bfd() != null) ? Bfd.start(registry) : null;
        for (PeerSettings peer : peers) {
            Bootstrap template = new Bootstrap().group(loop)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class);
            if (peer.md5Key() != null) {
                template.option(EpollChannelOption.TCP_MD5SIG, Map.of(peer.address(), peer.md5Key()));
            }
            NettyLink link = new NettyLink(template, peer);
            Session session = new Session(peer, backOff, ticker, link, routes::values, listener);
            link.attach(session);
            metrics.register(session);
            sessions.add(session);
            if (peer.bfd() != null) {
                bfdSessions.add(new PeerBfd(bfd, session, loop, ticker.nanos()));
            }
        }
    }

    /** The metrics, and {@code events} told (peer, detail) of a session torn down by BFD. */
    private static SessionListener withEvents(BgpMetrics metrics, BiConsumer<String, String> events) {
        return new SessionListener() {
            @Override
            public void stateChanged(PeerSettings peer, SessionState from, SessionState to) {
                metrics.stateChanged(peer, from, to);
            }

            @Override
            public void malformed(PeerSettings peer, Notification sent) {
                metrics.malformed(peer, sent);
            }

            @Override
            public void bfdDown(PeerSettings peer, String why) {
                metrics.bfdDown(peer, why);
                LOG.warn("BGP {}: {}: session torn down at once (Cease, BFD Down)", peer.label(), why);
                events.accept(peer.label(), why + ": session torn down (Cease, BFD Down), routes withdrawn by the peer");
            }
        };
    }

    /** Starts a session to every peer; they connect at once and keep reconnecting until {@link #close}. */
    public static BgpSpeaker start(List<PeerSettings> peers, BackOff backOff, Ticker ticker, MeterRegistry registry) {
        return start(peers, backOff, ticker, registry, (peer, detail) -> { });
    }

    /** {@link #start}, with {@code events} told (peer, detail) when BFD takes a session down. */
    public static BgpSpeaker start(List<PeerSettings> peers, BackOff backOff, Ticker ticker, MeterRegistry registry,
            BiConsumer<String, String> events) {
        BgpSpeaker speaker = new BgpSpeaker(peers, backOff, ticker, registry, events);
        speaker.loop.execute(() -> speaker.sessions.forEach(Session::start));
        speaker.loop.scheduleAtFixedRate(speaker::tick, TICK.toNanos(), TICK.toNanos(), TimeUnit.NANOSECONDS);
        return speaker;
    }

    private void tick() {
        long now = ticker.nanos();
        drains.entrySet().removeIf(e -> {
            if (now - e.getValue() >= 0) {
                remove(e.getKey());
                return true;
            }
            return false;
        });
        for (Session session : sessions) {
            session.tick();
        }
        for (PeerBfd peerBfd : bfdSessions) {
            peerBfd.tick(now);
        }
    }

    /** Announces {@code route} to every Established peer (and to each peer as it comes up), replacing one of its address. */
    public void announce(Route route) {
        Objects.requireNonNull(route, "route");
        loop.execute(() -> {
            drains.remove(route.address());
            put(route);
        });
    }

    /** Withdraws the route of {@code address} at once, if announced (after {@link #close} nothing is). */
    public void withdraw(InetAddress address) {
        if (loop.isShuttingDown()) {
            return; // the Cease withdrew every route
        }
        loop.execute(() -> {
            drains.remove(address);
            remove(address);
        });
    }

    /**
     * A planned withdrawal (RFC 8326): the route is announced again with GRACEFUL_SHUTDOWN (65535:0), so routers
     * that honour it prefer other paths for new flows, and withdrawn {@code wait} later. An {@link #announce} in
     * between cancels the withdrawal.
     */
    public void withdrawGracefully(InetAddress address, Duration wait) {
        loop.execute(() -> {
            Route route = routes.get(address);
            if (route == null) {
                return;
            }
            if (wait.isZero() || wait.isNegative()) {
                remove(address);
                return;
            }
            put(route.with(Community.GRACEFUL_SHUTDOWN));
            drains.put(address, ticker.nanos() + wait.toNanos());
        });
    }

    /** {@link #withdrawGracefully} for every route announced now (SIGTERM, drain). */
    public void withdrawAllGracefully(Duration wait) {
        loop.execute(() -> List.copyOf(routes.keySet()).forEach(address -> withdrawGracefully(address, wait)));
    }

    private void put(Route route) {
        routes.put(route.address(), route);
        announcedCount = routes.size();
        for (Session session : sessions) {
            session.send(route, false);
        }
        metrics.updateSent(false);
        LOG.info("BGP: announcing {}", route);
    }

    private void remove(InetAddress address) {
        Route route = routes.remove(address);
        announcedCount = routes.size();
        if (route != null) {
            for (Session session : sessions) {
                session.send(route, true);
            }
            metrics.updateSent(true);
            LOG.info("BGP: withdrew {}", route);
        }
    }

    /** Whether {@code address} is announced now (a pending graceful withdrawal still counts). */
    public boolean announces(InetAddress address) {
        return call(() -> routes.containsKey(address));
    }

    /** Every session's state, in the order of the peers. */
    public List<PeerStatus> status() {
        return sessions.stream().map(Session::status).toList();
    }

    /**
     * Ends every session with a Cease (Administrative Shutdown) carrying {@code communication} (RFC 8203), which
     * withdraws every route at once, then takes the BFD sessions AdminDown (a deliberate stop the peers must not
     * take for a failure), and stops the loops. Once: a later call does nothing.
     */
    public void close(String communication) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Notification cease = Notification.shutdown(communication);
        try {
            call(() -> {
                sessions.forEach(s -> s.stop(cease));
                bfdSessions.forEach(PeerBfd::close);
                return null;
            });
        } finally {
            group.shutdownGracefully(CLOSE_FLUSH.toMillis(), CLOSE_FLUSH.toMillis() * 5, TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly();
            if (bfd != null) {
                bfd.close();
            }
        }
    }

    @Override
    public void close() {
        close("Gatehouse shutting down");
    }

    private <T> T call(java.util.concurrent.Callable<T> task) {
        if (loop.inEventLoop()) {
            try {
                return task.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("BGP speaker did not answer", e);
        }
    }
}
