package dev.gatehouse.vip;

import dev.gatehouse.time.Ticker;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AddressProbe} from this JVM's own packet socket ({@link ArpSocket}): a probe leaves at once and its answer
 * is read as it arrives, so a takeover learns that the old owner let go of the address about {@link #ANSWER_WAIT}
 * after it did, where {@code arping} needs its own start plus a wait sized for that start (~50 ms more in the lab).
 * Where the socket cannot be opened (no CAP_NET_RAW, no native access) it probes with {@code fallback}, and says so
 * once.
 */
final class PacketProbe implements AddressProbe {

    private static final Logger LOG = LoggerFactory.getLogger(PacketProbe.class);

    /**
     * How long a probe waits for an answer: a kernel answers ARP in its receive path, well under a millisecond on a
     * LAN; the rest is room for a busy peer. Answers that arrive while this thread is not scheduled are queued on
     * the socket and still read, so a slow prober errs towards "answered", never towards "free".
     */
    static final Duration ANSWER_WAIT = Duration.ofMillis(20);
    /** After an answer, the next probe this much later: the old owner's watchdog is deleting the address meanwhile. */
    static final Duration RETRY_SPACING = Duration.ofMillis(5);

    private final Ticker ticker;
    private final Duration bound;
    private final AddressProbe fallback;
    private final AtomicBoolean fallbackSaid = new AtomicBoolean();

    PacketProbe(Ticker ticker, Duration bound, AddressProbe fallback) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.bound = Objects.requireNonNull(bound, "bound");
        this.fallback = Objects.requireNonNull(fallback, "fallback");
    }

    @Override
    public Outcome awaitFree(String iface, String address) {
        byte[] ipv4 = ipv4(address);
        ArpSocket socket;
        try {
            if (ipv4 == null) {
                throw new IOException(address + " is not an IPv4 address");
            }
            socket = ArpSocket.open(iface);
        } catch (IOException e) {
            if (fallbackSaid.compareAndSet(false, true)) {
                LOG.warn("VIP: probing with arping instead of this process's own ARP socket: {}", e.getMessage());
            }
            return fallback.awaitFree(iface, address);
        }
        int answered = 0;
        try (socket) {
            byte[] mac = socket.mac();
            byte[] probe = ArpFrames.probe(mac, ipv4);
            byte[] in = new byte[ArpFrames.LENGTH * 4];
            long deadline = ticker.nanos() + bound.toNanos();
            while (true) {
                waitFor(socket, in, ipv4, mac, 0); // what came before this probe answers nothing about it
                socket.broadcast(probe);
                if (!waitFor(socket, in, ipv4, mac, ANSWER_WAIT.toNanos())) {
                    return answered == 0 ? Outcome.NOBODY : new Outcome(answered, true, null);
                }
                answered++;
                if (ticker.nanos() >= deadline) {
                    return new Outcome(answered, false, null);
                }
                waitFor(socket, in, ipv4, mac, RETRY_SPACING.toNanos());
            }
        } catch (IOException e) {
            return new Outcome(answered, false, "ARP probe on " + iface + " failed: " + e.getMessage());
        }
    }

    /**
     * Reads ARP packets for {@code nanos} (0: only those already queued); true when one said another host holds
     * {@code ipv4}. It returns as soon as one does.
     */
    private boolean waitFor(ArpSocket socket, byte[] in, byte[] ipv4, byte[] mac, long nanos) throws IOException {
        long until = ticker.nanos() + nanos;
        boolean claimed = false;
        while (!claimed) {
            long left = until - ticker.nanos();
            int length = socket.receive(in, (int) Math.max(0, (left + 999_999) / 1_000_000));
            if (length == 0) {
                if (left <= 0) {
                    return false;
                }
                continue;
            }
            claimed = ArpFrames.claims(in, length, ipv4, mac);
        }
        return true;
    }

    private static byte[] ipv4(String address) {
        try {
            return InetAddress.ofLiteral(address) instanceof Inet4Address v4 ? v4.getAddress() : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
