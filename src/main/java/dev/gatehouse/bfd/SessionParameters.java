package dev.gatehouse.bfd;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * What one single-hop session is: its two addresses and the timers it asks for (RFC 5880 §6.8.1
 * bfd.DesiredMinTxInterval, bfd.RequiredMinRxInterval, bfd.DetectMult). Each value is checked when the record is
 * made, with a message that names it.
 *
 * @param local the address this side sends from and receives on (port 3784); must be assigned to an interface
 * @param peer the neighbour's address, one hop away
 * @param desiredMinTx how often this side would like to send once Up (1 s at least while not Up, §6.8.3)
 * @param requiredMinRx the shortest interval between the peer's packets this side accepts
 * @param detectMultiplier after how many missed intervals the peer declares this side down
 */
public record SessionParameters(InetAddress local, InetAddress peer, Duration desiredMinTx, Duration requiredMinRx,
        int detectMultiplier) {

    /** Below this a JVM event loop cannot promise the schedule (and FRR refuses less too). */
    public static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    /** The wire format carries microseconds in 32 bits (~71 minutes); a minute is plenty for a liveness check. */
    public static final Duration MAX_INTERVAL = Duration.ofMinutes(1);

    public SessionParameters {
        Objects.requireNonNull(local, "bfd local address: missing");
        Objects.requireNonNull(peer, "bfd peer address: missing");
        if (local instanceof Inet4Address != peer instanceof Inet4Address) {
            throw new IllegalArgumentException("bfd peer " + peer.getHostAddress() + ": not of the same family as local "
                    + local.getHostAddress());
        }
        checkAddress("local", local);
        checkAddress("peer", peer);
        if (local.equals(peer)) {
            throw new IllegalArgumentException("bfd peer " + peer.getHostAddress() + ": the same as the local address");
        }
        checkInterval("desired_min_tx", desiredMinTx);
        checkInterval("required_min_rx", requiredMinRx);
        if (detectMultiplier < 1 || detectMultiplier > 255) {
            throw new IllegalArgumentException("bfd multiplier " + detectMultiplier + ": must be 1 to 255");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The time the peer waits before declaring this side down, were it to use the same timers. */
    public Duration detectionTime() {
        return desiredMinTx.compareTo(requiredMinRx) > 0 ? desiredMinTx.multipliedBy(detectMultiplier)
                : requiredMinRx.multipliedBy(detectMultiplier);
    }

    long desiredMinTxMicros() {
        return desiredMinTx.toNanos() / 1000;
    }

    long requiredMinRxMicros() {
        return requiredMinRx.toNanos() / 1000;
    }

    private static void checkAddress(String name, InetAddress address) {
        if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
            throw new IllegalArgumentException("bfd " + name + " address " + address.getHostAddress()
                    + ": must be a unicast address");
        }
    }

    private static void checkInterval(String name, Duration interval) {
        Objects.requireNonNull(interval, () -> "bfd " + name + ": missing");
        if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException("bfd " + name + " " + interval.toMillis() + "ms: must be 10ms to 60s");
        }
    }

    /** Builds parameters; {@link #interval} sets both intervals, the usual case. Defaults: 300 ms × 3. */
    public static final class Builder {

        private InetAddress local;
        private InetAddress peer;
        private Duration desiredMinTx = Duration.ofMillis(300);
        private Duration requiredMinRx = Duration.ofMillis(300);
        private int detectMultiplier = 3;

        private Builder() {}

        public Builder local(InetAddress local) {
            this.local = local;
            return this;
        }

        public Builder peer(InetAddress peer) {
            this.peer = peer;
            return this;
        }

        public Builder interval(Duration interval) {
            return desiredMinTx(interval).requiredMinRx(interval);
        }

        public Builder desiredMinTx(Duration desiredMinTx) {
            this.desiredMinTx = desiredMinTx;
            return this;
        }

        public Builder requiredMinRx(Duration requiredMinRx) {
            this.requiredMinRx = requiredMinRx;
            return this;
        }

        public Builder detectMultiplier(int detectMultiplier) {
            this.detectMultiplier = detectMultiplier;
            return this;
        }

        public SessionParameters build() {
            return new SessionParameters(local, peer, desiredMinTx, requiredMinRx, detectMultiplier);
        }
    }
}
