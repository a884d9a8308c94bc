package dev.gatehouse.bgp;

import dev.gatehouse.bfd.Bfd;
import dev.gatehouse.bfd.BfdSession;
import dev.gatehouse.bfd.SessionParameters;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-hop BFD session beside one BGP session, for as long as the peer is configured (not only while the BGP
 * session is up, so a BFD Down can end a session in any state and BFD is Up before BGP comes back). It runs from
 * the BGP session's local address: the configured one, else the one the kernel would pick to reach the peer (a
 * connected UDP socket, which sends nothing, asks the routing table). State changes reach the {@link Session} on
 * the speaker's loop. Opening is retried every second while it fails (no route yet, the address not yet assigned).
 */
final class PeerBfd implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PeerBfd.class);
    private static final long RETRY_NANOS = Duration.ofSeconds(1).toNanos();
    /** Any port: connecting a UDP socket only picks the route and the source address. */
    private static final int PROBE_PORT = 3784;

    private final Bfd bfd;
    private final Session session;
    private final Executor speakerLoop;
    private BfdSession current;
    private boolean closed;
    private long nextAttempt;
    private String lastFailure;

    PeerBfd(Bfd bfd, Session session, Executor speakerLoop, long now) {
        this.bfd = Objects.requireNonNull(bfd, "bfd");
        this.session = Objects.requireNonNull(session, "session");
        this.speakerLoop = Objects.requireNonNull(speakerLoop, "speakerLoop");
        this.nextAttempt = now;
    }

    /** On the speaker's loop: opens the BFD session if it is not open and an attempt is due. */
    void tick(long now) {
        if (closed || current != null || now - nextAttempt < 0) {
            return;
        }
        PeerSettings peer = session.peer();
        try {
            InetAddress local = peer.localAddress() != null ? peer.localAddress() : sourceFor(peer.address());
            SessionParameters parameters = SessionParameters.builder().local(local).peer(peer.address())
                    .interval(peer.bfd().interval()).detectMultiplier(peer.bfd().multiplier()).build();
            current = bfd.open(parameters, (s, change) -> speakerLoop.execute(() -> session.bfdChanged(change)));
            current.start();
            LOG.info("BGP {}: BFD from {} every {}", peer.label(), local.getHostAddress(), peer.bfd());
        } catch (IOException | RuntimeException e) {
            nextAttempt = now + RETRY_NANOS;
            if (!Objects.equals(e.getMessage(), lastFailure)) { // once per distinct reason, not every second
                lastFailure = e.getMessage();
                LOG.warn("BGP {}: cannot run BFD yet, retrying every second: {}", peer.label(), e.getMessage());
            }
        }
    }

    /** The source address this host would use to reach {@code peer}. */
    private static InetAddress sourceFor(InetAddress peer) throws IOException {
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.connect(new InetSocketAddress(peer, PROBE_PORT));
            return ((InetSocketAddress) probe.getLocalAddress()).getAddress();
        }
    }

    /** On the speaker's loop: tells the peer AdminDown (a deliberate stop, not a failure) and frees the socket. */
    @Override
    public void close() {
        closed = true;
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
