package dev.gatehouse.bfd;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One single-hop BFD session, made by {@link Bfd#open}. It sends nothing until {@link #start}; {@link #close} says
 * AdminDown to the peer once and frees the session's socket. Every method may be called from any thread; the
 * work happens on the BFD event loop, and the listener is called there.
 */
public final class BfdSession implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BfdSession.class);

    private final Bfd bfd;
    private final EventLoop loop;
    private final Channel sender;
    private final InetSocketAddress peerControl;
    private final BfdListener listener;
    private final Session session;
    private volatile SessionParameters parameters;
    private volatile SessionState state = SessionState.DOWN;
    private volatile Diagnostic diagnostic = Diagnostic.NONE;

    BfdSession(Bfd bfd, SessionParameters parameters, int discriminator, Channel sender, BfdListener listener) {
        this.bfd = bfd;
        this.loop = sender.eventLoop();
        this.sender = sender;
        this.parameters = parameters;
        this.peerControl = Sockets.controlAddress(parameters.peer());
        this.listener = listener;
        this.session = new Session(parameters, discriminator, new LoopTimers(loop), new SplittableRandom(),
                new Output());
    }

    public SessionParameters parameters() {
        return parameters;
    }

    /** The state as of the last change (read from any thread). */
    public SessionState state() {
        return state;
    }

    /** The local diagnostic as of the last change: why it last went down. */
    public Diagnostic diagnostic() {
        return diagnostic;
    }

    /** This side's discriminator: random, nonzero, unique among the sessions of its {@link Bfd}. */
    public int localDiscriminator() {
        return session.localDiscriminator();
    }

    /** Starts sending (the first packet at once, then every second until Up) and detecting. */
    public void start() {
        loop.execute(session::start);
    }

    /** AdminDown (RFC 5880 §6.8.16): the peer is told the session is down on purpose, not by a failure. */
    public void adminDown() {
        loop.execute(session::adminDown);
    }

    /** Leaves AdminDown; the session comes Up again with the peer. */
    public void enable() {
        loop.execute(session::enable);
    }

    /** New timers for this session, checked like the parameters; while Up applied through a Poll sequence. */
    public void changeIntervals(Duration desiredMinTx, Duration requiredMinRx) {
        SessionParameters p = parameters;
        SessionParameters changed = new SessionParameters(p.local(), p.peer(), desiredMinTx, requiredMinRx,
                p.detectMultiplier());
        parameters = changed;
        loop.execute(() -> session.changeIntervals(changed.desiredMinTxMicros(), changed.requiredMinRxMicros()));
    }

    /** Sends AdminDown once (if started), stops the timers and frees the socket; waits for it unless on the loop. */
    @Override
    public void close() {
        Runnable closing = () -> {
            session.adminDown();
            session.stop();
            sender.close();
        };
        if (loop.inEventLoop()) {
            closing.run();
        } else {
            loop.submit(closing).syncUninterruptibly();
        }
        bfd.closed(this);
    }

    /** Event loop only: a packet that passed the checks and names this session. */
    Drop receive(ControlPacket packet) {
        return session.receive(packet);
    }

    @Override
    public String toString() {
        SessionParameters p = parameters;
        return "bfd " + p.local().getHostAddress() + " -> " + p.peer().getHostAddress() + " " + state;
    }

    private final class Output implements Session.Output {

        @Override
        public void send(ControlPacket packet) {
            ByteBuf buf = sender.alloc().directBuffer(ControlPacketCodec.LENGTH);
            ControlPacketCodec.encode(packet, buf);
            sender.writeAndFlush(new DatagramPacket(buf, peerControl), sender.voidPromise());
            bfd.metrics().sent.increment();
        }

        @Override
        public void stateChanged(StateChange change) {
            state = change.to();
            diagnostic = change.diagnostic();
            bfd.metrics().stateChanged(change);
            LOG.info("{}: {}", BfdSession.this, change);
            try {
                listener.stateChanged(BfdSession.this, change);
            } catch (RuntimeException e) {
                LOG.error("{}: the listener failed on {}", BfdSession.this, change, e);
            }
        }
    }
}
