package dev.gatehouse.vip;

import java.time.Duration;
import java.util.List;

/**
 * The nftables commands of the fence that holds even when every process of this node is frozen (a cgroup freeze,
 * SIGSTOP of the JVM and its watchdog, a paused container): the kernel answers ARP for an address and takes its
 * traffic by itself, so a frozen owner's kernel would go on answering after the peer took over, until the address
 * lifetime ran out (at least a second, while the takeover comes after lease * 1.1 + 50 ms).
 *
 * <p>Two tables named {@value #TABLE} (family {@code arp} and {@code ip}) drop, for each address in their
 * {@code held} set, outgoing ARP from it (replies and requests) unless it is in set {@code answering}, and
 * incoming and outgoing IP to and from it unless it is in set {@code serving}. The elements of those two sets
 * carry a timeout: the kernel itself closes the fence when no renewal re-arms it in time, frozen processes or not.
 * A handover in progress stops answering ARP for the address at once (the successor's answers and announcements
 * alone move the clients) but keeps serving it, so that requests in flight finish.
 *
 * <p>The {@code answering} timeout must end before any other node can be granted the address, however late its
 * {@code nft} runs: one frozen after it was started and thawed after the takeover would otherwise open ARP for a
 * whole timeout from the thaw. So ARP is re-armed only through a gate: an element of set {@code gate}, which no rule
 * reads, keyed by the address and a generation (a mark) that no other gate of it ever has. The re-arm deletes the
 * gate it was computed for (failing, and changing nothing, once the kernel let that one run out) and adds the next.
 * A re-arm therefore runs before that gate ends, and the caller, who knows by when it ends at the latest, gives ARP
 * only what is left of the lease after that ({@link HeldFence}). A command that runs later still, after a newer gate
 * was opened, cannot go through the newer one.
 *
 * <p>The tables are installed when the driver starts and stay: a standby opens a gate at a grant, before it holds
 * the address, so that its acquisition takes one command.
 *
 * <p>Each method returns one {@code nft} command: a list of statements nft runs as one transaction. Re-adding an
 * element does not re-arm its timeout, so a re-arm deletes it and adds it again; an add ahead of the delete makes
 * the delete unable to fail where the element may be gone.
 */
final class KernelFence {

    static final String TABLE = "gatehouse";

    final Duration serve;
    final Duration gate;

    /**
     * @param serve how long after each re-arm the kernel still takes the address's IP traffic, and answers ARP after
     *     a renewal that has no lease (an active-active VIP)
     * @param gate how long a gate stays open: one re-arm interval, and what lateness a re-arm may have
     */
    KernelFence(Duration serve, Duration gate) {
        this.serve = positive(serve, "serve");
        this.gate = positive(gate, "gate");
    }

    /**
     * For the cluster's {@code lease}: IP served a watchdog silence after each re-arm; a gate open for half a lease
     * (a renewal interval, a third of it, and half as much again for its lateness).
     */
    static KernelFence forLease(Duration lease) {
        return new KernelFence(CommandRunner.Watchdog.silenceFor(lease), lease.dividedBy(2));
    }

    private static Duration positive(Duration d, String name) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }

    /** Removes the tables a killed process may have left, then creates them empty. */
    List<String> install() {
        return nft(String.join("; ",
                "add table arp " + TABLE, "delete table arp " + TABLE,
                "add table ip " + TABLE, "delete table ip " + TABLE,
                "table arp " + TABLE + " { set held { type ipv4_addr; }; set answering { type ipv4_addr; flags timeout; };"
                        + " set gate { type ipv4_addr . mark; flags timeout; };"
                        + " chain output { type filter hook output priority 0; policy accept;"
                        + " arp saddr ip @held arp saddr ip != @answering drop; }; }",
                "table ip " + TABLE + " { set held { type ipv4_addr; }; set serving { type ipv4_addr; flags timeout; };"
                        + " chain prerouting { type filter hook prerouting priority -300; policy accept;"
                        + " ip daddr @held ip daddr != @serving drop; };"
                        + " chain output { type filter hook output priority -300; policy accept;"
                        + " ip saddr @held ip saddr != @serving drop; }; }"));
    }

    /** Opens gate {@code gate} of {@code address} for one interval. */
    List<String> openGate(String address, long gate) {
        return nft(gate("add", address, gate, this.gate));
    }

    /**
     * While gate {@code through} of {@code address} is open (else it fails and changes nothing): closes it and opens
     * gate {@code next} for one interval, fences the address (if it was not), answers ARP for it for
     * {@code answerFor} (null: leaves ARP as it is) and serves its IP for one renewal, whether or not they had run out.
     */
    List<String> answer(String address, long through, long next, Duration answerFor) {
        String arp = answerFor == null ? "" : fresh("arp", "answering", address, positive(answerFor, "answerFor")) + "; ";
        return nft(String.join("; ", gate("delete", address, through, null), gate("add", address, next, gate),
                element("add", "arp", "held", address, null), element("add", "ip", "held", address, null))
                + "; " + arp + fresh("ip", "serving", address, serve));
    }

    /**
     * A handover: ARP stops at once and gate {@code gate} closes; IP is re-armed for one renewal if it has not run
     * out (else the command fails, ARP having run out with it).
     */
    List<String> quiet(String address, long gate) {
        return nft(String.join("; ", gone("arp", "answering", address), closed(address, gate),
                element("delete", "ip", "serving", address, null), element("add", "ip", "serving", address, serve)));
    }

    /** {@code address} is no longer held: no element of it is left but gates older than {@code gate}, running out. */
    List<String> release(String address, long gate) {
        return nft(String.join("; ", gone("arp", "held", address), gone("ip", "held", address),
                gone("arp", "answering", address), closed(address, gate), gone("ip", "serving", address)));
    }

    /** Gate {@code gate} of {@code address} is not open, whether or not it was. */
    private static String closed(String address, long gate) {
        return gate("add", address, gate, null) + "; " + gate("delete", address, gate, null);
    }

    private static String gate(String verb, String address, long gate, Duration timeout) {
        return element(verb, "arp", "gate", address + " . " + gate, timeout);
    }

    /** The element, with a fresh timeout whether or not it was there. */
    private static String fresh(String family, String set, String address, Duration timeout) {
        return String.join("; ", element("add", family, set, address, timeout),
                element("delete", family, set, address, null), element("add", family, set, address, timeout));
    }

    /** No element of {@code address} in the set, whether or not there was one. */
    private static String gone(String family, String set, String address) {
        return element("add", family, set, address, null) + "; " + element("delete", family, set, address, null);
    }

    private static String element(String verb, String family, String set, String key, Duration timeout) {
        return verb + " element " + family + " " + TABLE + " " + set + " { " + key
                + (timeout == null ? "" : " timeout " + timeout.toMillis() + "ms") + " }";
    }

    private static List<String> nft(String statements) {
        return List.of("nft", statements);
    }
}
