package dev.gatehouse.bgp;

import dev.gatehouse.bfd.StateChange;
import dev.gatehouse.time.LogGate;
import dev.gatehouse.time.Ticker;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RFC 4271 finite state machine of one session, announce-only. It owns no socket and no thread: its
 * {@link Link} connects and carries messages, and one thread calls every method here (the speaker's event loop;
 * the test's thread in tests), {@link #tick} included, which fires the timers against the {@link Ticker}.
 *
 * <p>Timers: connect-retry (the wait before the next attempt, from {@link BackOff}), hold (4 minutes in OpenSent as
 * RFC 4271 suggests, then the negotiated hold time: the smaller of both OPENs'; 0 turns it and keepalives off) and
 * keepalive (a third of the hold time). Every failure, whatever its cause, returns to Idle and waits its back-off;
 * a session that stayed Established for {@link BackOff#stableAfter} resets it.
 *
 * <p>Received UPDATEs are checked and dropped (no RIB); each time the session becomes Established it sends every
 * route the speaker currently announces. There is no Graceful Restart capability, so routes die with the session.
 *
 * <p>BFD (RFC 5882, as BIRD's {@code bfd on} does it): the session neither waits for BFD nor needs it; only a BFD
 * transition from Up to Down brings it down, at once, with a Cease "BFD Down" (RFC 9384). A peer that takes BFD
 * down on purpose (AdminDown) does not.
 */
final class Session {

    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    /** RFC 4271 section 8: the hold timer while waiting for the peer's OPEN. */
    static final Duration OPEN_HOLD = Duration.ofMinutes(4);
    private static final Set<AddressFamily> FAMILIES = EnumSet.allOf(AddressFamily.class);

    private final PeerSettings peer;
    private final BackOff backOff;
    private final Ticker ticker;
    private final Link link;
    /** What the speaker announces now, sent whole on every Established. */
    private final Supplier<Collection<Route>> routes;
    private final SessionListener listener;

    private boolean running;
    private int failures;
    private final Timer retry = new Timer();
    private final Timer hold = new Timer();
    private final Timer keepalive = new Timer();
    private Open peerOpen;
    private PathAttributes path;

    // written on the loop only, and also read by other threads (status)
    private volatile SessionState state = SessionState.IDLE;
    /** Ticker nanos when the session became Established; -1 while it is not. */
    private volatile long establishedSince = -1;
    private volatile int flaps;
    private volatile String lastError;
    private volatile int negotiatedHold = -1;
    /** The BFD session's state as status shows it; null without BFD. */
    private volatile String bfd;
    private final LogGate malformedLog;

    Session(PeerSettings peer, BackOff backOff, Ticker ticker, Link link, Supplier<Collection<Route>> routes,
            SessionListener listener) {
        this.peer = Objects.requireNonNull(peer, "peer");
        this.backOff = Objects.requireNonNull(backOff, "backOff");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.link = Objects.requireNonNull(link, "link");
        this.routes = Objects.requireNonNull(routes, "routes");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.malformedLog = new LogGate(ticker, Duration.ofSeconds(10));
        this.bfd = peer.bfd() == null ? null : "down";
    }

    PeerSettings peer() {
        return peer;
    }

    /** ManualStart: connect now (if idle), and again after every failure until {@link #stop}. */
    void start() {
        running = true;
        if (state == SessionState.IDLE || state == SessionState.ACTIVE) {
            connectNow();
        }
    }

    /** ManualStop: tells an open session why ({@code cease}) and closes it; no reconnection follows. */
    void stop(Notification cease) {
        running = false;
        retry.off();
        if (state != SessionState.IDLE && state != SessionState.ACTIVE) {
            down("stopped: " + cease.describe(), state == SessionState.CONNECT ? null : cease, false);
        }
    }

    /** Fires the timers that are due. */
    void tick() {
        long now = ticker.nanos();
        if (retry.due(now) && running && (state == SessionState.IDLE || state == SessionState.ACTIVE)) {
            connectNow();
        }
        if (hold.due(now)) {
            down("hold timer expired (" + (negotiatedHold < 0 ? OPEN_HOLD.toSeconds() : negotiatedHold) + " s)",
                    new Notification(Notification.HOLD_TIMER_EXPIRED, 0), true);
            return;
        }
        if (keepalive.due(now)) {
            link.send(Keepalive.INSTANCE);
            keepalive.at(now + keepaliveNanos());
        }
        if (state == SessionState.ESTABLISHED && failures > 0 && now - establishedSince >= backOff.stableAfter().toNanos()) {
            failures = 0;
        }
    }

    /** The BFD session beside this one changed state (see the class comment). */
    void bfdChanged(StateChange change) {
        bfd = change.to().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        if (change.from() != dev.gatehouse.bfd.SessionState.UP || change.to() != dev.gatehouse.bfd.SessionState.DOWN) {
            return;
        }
        String why = "BFD down (" + change.diagnostic().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")";
        if (change.peerState() == dev.gatehouse.bfd.SessionState.ADMIN_DOWN) {
            LOG.info("BGP {}: the peer took BFD down on purpose (AdminDown); the session stays", peer.label());
        } else if (state == SessionState.OPEN_SENT || state == SessionState.OPEN_CONFIRM
                || state == SessionState.ESTABLISHED) {
            listener.bfdDown(peer, why);
            down(why, new Notification(Notification.CEASE, Notification.BFD_DOWN), true);
        }
    }

    private void connectNow() {
        retry.off();
        enter(SessionState.CONNECT);
        link.connect();
    }

    void connected() {
        if (state != SessionState.CONNECT) {
            return;
        }
        int myAs = peer.localAs() > 0xFFFF ? Open.AS_TRANS : (int) peer.localAs();
        link.send(new Open(Open.VERSION, myAs, peer.holdTimeSeconds(), peer.routerId(), peer.localAs(), FAMILIES, true));
        hold.at(ticker.nanos() + OPEN_HOLD.toNanos());
        enter(SessionState.OPEN_SENT);
    }

    void connectFailed(String why) {
        if (state != SessionState.CONNECT) {
            return;
        }
        lastError = "connect: " + why;
        failures++;
        enter(SessionState.ACTIVE);
        scheduleRetry();
    }

    /** The peer closed the connection, or it broke. */
    void closed(String why) {
        if (state == SessionState.OPEN_SENT || state == SessionState.OPEN_CONFIRM || state == SessionState.ESTABLISHED) {
            down("connection closed: " + why, null, true);
        }
    }

    /** A message that broke the protocol: the peer is told {@code notification} and the session restarts. */
    void malformed(Notification notification, String detail) {
        if (state == SessionState.IDLE || state == SessionState.CONNECT || state == SessionState.ACTIVE) {
            return;
        }
        listener.malformed(peer, notification);
        long held = malformedLog.pass();
        if (held >= 0) {
            LOG.warn("BGP {}: malformed message ({}), sending {}{}", peer.label(), detail, notification.describe(),
                    held == 0 ? "" : "; " + held + " more since the last line");
        }
        down("sent " + notification.describe() + ": " + detail, notification, true);
    }

    void received(BgpMessage message) {
        switch (message) {
            case Notification n -> {
                if (state != SessionState.IDLE && state != SessionState.ACTIVE && state != SessionState.CONNECT) {
                    down("peer sent " + n.describe(), null, true);
                }
            }
            case Open open -> {
                if (state == SessionState.OPEN_SENT) {
                    opened(open);
                } else {
                    unexpected("OPEN");
                }
            }
            case Keepalive k -> {
                if (state == SessionState.OPEN_CONFIRM) {
                    establish();
                } else if (state == SessionState.ESTABLISHED) {
                    restartHold();
                } else {
                    unexpected("KEEPALIVE");
                }
            }
            case ReceivedUpdate update -> {
                if (state == SessionState.ESTABLISHED) {
                    restartHold();
                    LOG.debug("BGP {}: UPDATE of {} announced, {} withdrawn prefixes ignored", peer.label(),
                            update.announced(), update.withdrawn());
                } else {
                    unexpected("UPDATE");
                }
            }
            case RouteUpdate r -> throw new IllegalArgumentException("a route update is only sent");
        }
    }

    /** RFC 6608: a message the state does not expect is an FSM error whose subcode names the state. */
    private void unexpected(String what) {
        int subcode = switch (state) {
            case OPEN_SENT -> Notification.UNEXPECTED_IN_OPEN_SENT;
            case OPEN_CONFIRM -> Notification.UNEXPECTED_IN_OPEN_CONFIRM;
            case ESTABLISHED -> Notification.UNEXPECTED_IN_ESTABLISHED;
            default -> -1;
        };
        if (subcode > 0) {
            malformed(new Notification(Notification.FSM_ERROR, subcode), what + " in " + state.label());
        }
    }

    private void opened(Open open) {
        Notification refusal = OpenCheck.refusal(open, peer);
        if (refusal != null) {
            malformed(refusal, "OPEN refused: AS " + open.peerAs() + ", hold time " + open.holdTime() + " s, identifier "
                    + open.identifier().getHostAddress());
            return;
        }
        peerOpen = open;
        int negotiated = Math.min(open.holdTime(), peer.holdTimeSeconds());
        negotiatedHold = negotiated;
        InetAddress local = link.localAddress();
        path = new PathAttributes(peer.localAs(), peer.internal(),
                local instanceof Inet4Address ? local : peer.routerId(),
                local instanceof Inet6Address ? local : MessageWriter.ipv6(local));
        link.send(Keepalive.INSTANCE);
        enter(SessionState.OPEN_CONFIRM);
        if (negotiated == 0) {
            hold.off();
            keepalive.off();
        } else {
            restartHold();
            keepalive.at(ticker.nanos() + keepaliveNanos());
        }
    }

    /** A third of the negotiated hold time. */
    private long keepaliveNanos() {
        return Duration.ofSeconds(negotiatedHold).toNanos() / 3;
    }

    private void establish() {
        restartHold();
        establishedSince = ticker.nanos();
        enter(SessionState.ESTABLISHED);
        for (Route route : routes.get()) {
            send(route, false);
        }
    }

    private void restartHold() {
        if (negotiatedHold > 0) {
            hold.at(ticker.nanos() + Duration.ofSeconds(negotiatedHold).toNanos());
        }
    }

    /** Announces or withdraws {@code route} if the session is up and the peer takes its family. */
    void send(Route route, boolean withdraw) {
        if (state == SessionState.ESTABLISHED && peerOpen.supports(route.family())) {
            link.send(new RouteUpdate(route, withdraw, path));
        }
    }

    /** Ends the connection (telling the peer {@code notification} unless null) and waits in Idle for the back-off. */
    private void down(String why, Notification notification, boolean failure) {
        if (notification != null) {
            link.send(notification);
        }
        link.close();
        if (state == SessionState.ESTABLISHED) {
            flaps++;
        }
        lastError = why;
        hold.off();
        keepalive.off();
        peerOpen = null;
        negotiatedHold = -1;
        establishedSince = -1;
        if (failure) {
            failures++;
        }
        enter(SessionState.IDLE);
        if (running) {
            scheduleRetry();
        }
    }

    private void scheduleRetry() {
        Duration wait = backOff.after(Math.max(1, failures));
        retry.at(ticker.nanos() + wait.toNanos());
        LOG.info("BGP {}: next connection attempt in {} ms ({})", peer.label(), wait.toMillis(), lastError);
    }

    private void enter(SessionState next) {
        SessionState previous = state;
        state = next;
        if (previous != next) {
            if (next == SessionState.ESTABLISHED || previous == SessionState.ESTABLISHED) {
                LOG.info("BGP {}: {} -> {}{}", peer.label(), previous.label(), next.label(),
                        next == SessionState.ESTABLISHED ? " (hold time " + negotiatedHold + " s)" : ": " + lastError);
            }
            listener.stateChanged(peer, previous, next);
        }
    }

    SessionState state() {
        return state;
    }

    /** What status shows of this session; safe from any thread. */
    PeerStatus status() {
        long since = establishedSince;
        Duration uptime = since < 0 ? null : Duration.ofNanos(ticker.nanos() - since);
        return new PeerStatus(peer.address().getHostAddress(), peer.port(), peer.peerAs(), state, uptime, flaps,
                lastError, negotiatedHold, bfd);
    }

    /** A deadline on the ticker, or off. */
    private final class Timer {
        private boolean armed;
        private long deadline;

        void at(long nanos) {
            armed = true;
            deadline = nanos;
        }

        void off() {
            armed = false;
        }

        boolean due(long now) {
            if (armed && now - deadline >= 0) {
                armed = false;
                return true;
            }
            return false;
        }
    }
}
