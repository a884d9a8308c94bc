package dev.gatehouse.bfd;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * BFD for the process: single-hop sessions (RFC 5880, RFC 5881) in asynchronous mode, no Echo, no authentication.
 * One platform thread, an epoll event loop of its own, sends and receives for every session, so that the timers
 * of a 100 ms × 3 session do not queue behind proxy traffic or wait for a virtual-thread carrier.
 *
 * <pre>{@code
 * Bfd bfd = Bfd.start(registry);
 * BfdSession s = bfd.open(SessionParameters.builder().local(a).peer(b).interval(Duration.ofMillis(100)).build(),
 *         (session, change) -> ...);   // Up, Down (with the diagnostic), AdminDown
 * s.start();
 * }</pre>
 */
public final class Bfd implements AutoCloseable {

    private record Addresses(InetAddress local, InetAddress peer) {}

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final BfdMetrics metrics;
    private final SecureRandom random = new SecureRandom();
    private final Map<Integer, BfdSession> byDiscriminator = new ConcurrentHashMap<>();
    private final Map<Addresses, BfdSession> byAddresses = new ConcurrentHashMap<>();
    /** Receiving socket per local address, and how many sessions use it; guarded by this. */
    private final Map<InetAddress, Channel> receivers = new HashMap<>();
    private final Map<InetAddress, Integer> receiverUsers = new HashMap<>();

    private Bfd(MeterRegistry registry) {
        Sockets.requireEpoll();
        this.group = new MultiThreadIoEventLoopGroup(1, runnable -> {
            Thread thread = new Thread(runnable, "gatehouse-bfd");
            thread.setDaemon(true);
            thread.setPriority(Thread.MAX_PRIORITY);
            return thread;
        }, EpollIoHandler.newFactory());
        this.loop = group.next();
        this.metrics = new BfdMetrics(registry, () -> loop.ticker().nanoTime());
    }

    /** Starts the BFD event loop. Fails when the epoll transport is unavailable (not Linux). */
    public static Bfd start(MeterRegistry registry) {
        return new Bfd(registry);
    }

    /**
     * Makes a session (not yet started): binds {@code local}:3784 if no session does yet, and a source port for this
     * one. Fails when a session for the same two addresses exists or a socket cannot be bound.
     */
    public synchronized BfdSession open(SessionParameters parameters, BfdListener listener) {
        Addresses key = new Addresses(parameters.local(), parameters.peer());
        if (byAddresses.containsKey(key)) {
            throw new IllegalArgumentException("bfd peer " + parameters.peer().getHostAddress() + " from "
                    + parameters.local().getHostAddress() + ": a session exists already");
        }
        Channel receiver = receivers.get(parameters.local());
        if (receiver == null) {
            receiver = Sockets.bindReceiver(loop, parameters.local(), new Receiver());
            receivers.put(parameters.local(), receiver);
        }
        receiverUsers.merge(parameters.local(), 1, Integer::sum);
        Channel sender;
        try {
            sender = Sockets.bindSender(loop, parameters.local(), random);
        } catch (RuntimeException e) {
            releaseReceiver(parameters.local());
            throw e;
        }
        int discriminator = newDiscriminator();
        BfdSession session = new BfdSession(this, parameters, discriminator, sender, listener);
        byDiscriminator.put(discriminator, session);
        byAddresses.put(key, session);
        return session;
    }

    /** Closes every session (each tells its peer AdminDown) and stops the event loop. */
    @Override
    public void close() {
        for (BfdSession session : byDiscriminator.values()) {
            session.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    BfdMetrics metrics() {
        return metrics;
    }

    synchronized void closed(BfdSession session) {
        if (byDiscriminator.remove(session.localDiscriminator(), session)) {
            byAddresses.remove(new Addresses(session.parameters().local(), session.parameters().peer()));
            releaseReceiver(session.parameters().local());
        }
    }

    private void releaseReceiver(InetAddress local) {
        if (receiverUsers.merge(local, -1, Integer::sum) == 0) {
            receiverUsers.remove(local);
            receivers.remove(local).close();
        }
    }

    /** Random and nonzero (§6.8.1), and unique here: a reserved placeholder until the session is registered. */
    private int newDiscriminator() {
        while (true) {
            int candidate = random.nextInt();
            if (candidate != 0 && !byDiscriminator.containsKey(candidate)) {
                return candidate;
            }
        }
    }

    /** §6.8.6 on the event loop: the checks, then the session by Your Discriminator or by the two addresses. */
    private void receive(ByteBuf content, InetSocketAddress sender, InetAddress local) {
        Drop drop = ControlPacketCodec.check(content);
        if (drop == null) {
            ControlPacket packet = ControlPacketCodec.decode(content);
            BfdSession session = null;
            if (packet.yourDiscriminator() != 0) {
                session = byDiscriminator.get(packet.yourDiscriminator());
                if (session == null) {
                    drop = Drop.UNKNOWN_DISCRIMINATOR;
                } else if (!session.parameters().peer().equals(sender.getAddress())
                        || !session.parameters().local().equals(local)) {
                    drop = Drop.WRONG_ADDRESS;
                }
            } else if (packet.state() == SessionState.INIT || packet.state() == SessionState.UP) {
                drop = Drop.ZERO_YOUR_DISCRIMINATOR;
            } else {
                session = byAddresses.get(new Addresses(local, sender.getAddress()));
                if (session == null) {
                    drop = Drop.NO_SESSION;
                }
            }
            if (drop == null) {
                drop = session.receive(packet);
            }
            if (drop == null) {
                metrics.received.increment();
                return;
            }
        }
        metrics.dropped(drop, sender);
    }

    @ChannelHandler.Sharable
    private final class Receiver extends SimpleChannelInboundHandler<DatagramPacket> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            receive(packet.content(), packet.sender(), packet.recipient().getAddress());
        }
    }
}
