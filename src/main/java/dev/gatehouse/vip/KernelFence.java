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
 * carry a timeout, re-armed on every lease renewal: the kernel itself closes the fence that long after the last
 * renewal, frozen processes or not. A handover in progress stops answering ARP for the address at once (the
 * successor's answers and announcements alone move the clients) but keeps serving it, so that requests in flight
 * finish.
 *
 * <p>Each method returns one {@code nft} command: a list of statements nft runs as one transaction. Re-adding an
 * element does not re-arm its timeout, so a renewal deletes it and adds it again. Once the kernel let an element
 * expire, that delete fails and the whole transaction with it: a re-arm that runs late (its {@code nft} frozen with
 * the node and thawed after the peer took over, or queued behind a slow one) cannot reopen a closed fence. Only a
 * {@code reopen} re-adds what is gone: on a renewal that proved the lease after the fence lapsed, and to answer ARP
 * again after a handover that did not happen.
 */
final class KernelFence {

    static final String TABLE = "gatehouse";

    private final String openFor;

    /** @param openFor how long after each renewal the kernel still answers and serves the address */
    KernelFence(Duration openFor) {
        if (openFor.isNegative() || openFor.isZero()) {
            throw new IllegalArgumentException("openFor must be positive, was " + openFor);
        }
        this.openFor = openFor.toMillis() + "ms";
    }

    /** Fences {@code address} and opens it for one renewal; {@code install}: creates the tables first. */
    List<String> hold(String address, boolean install) {
        String hold = String.join("; ", element("add", "arp", "held", address, false),
                element("add", "ip", "held", address, false), rearm("arp", "answering", address, true),
                rearm("ip", "serving", address, true));
        return nft(install ? tables() + "; " + hold : hold);
    }

    /** Removes the tables a killed process may have left, then creates them empty. */
    private static String tables() {
        return String.join("; ",
                "add table arp " + TABLE, "delete table arp " + TABLE,
                "add table ip " + TABLE, "delete table ip " + TABLE,
                "table arp " + TABLE + " { set held { type ipv4_addr; }; set answering { type ipv4_addr; flags timeout; };"
                        + " chain output { type filter hook output priority 0; policy accept;"
                        + " arp saddr ip @held arp saddr ip != @answering drop; }; }",
                "table ip " + TABLE + " { set held { type ipv4_addr; }; set serving { type ipv4_addr; flags timeout; };"
                        + " chain prerouting { type filter hook prerouting priority -300; policy accept;"
                        + " ip daddr @held ip daddr != @serving drop; };"
                        + " chain output { type filter hook output priority -300; policy accept;"
                        + " ip saddr @held ip saddr != @serving drop; }; }");
    }

    /** The tables go: nothing is fenced any more (no VIP is held here). */
    List<String> uninstall() {
        return nft("delete table arp " + TABLE + "; delete table ip " + TABLE);
    }

    /**
     * Re-arms the timeouts after a renewal, if they have not run out: {@code answerArp} false during a handover,
     * which stops ARP at once; {@code reopen} re-adds the elements even if they ran out.
     */
    List<String> renew(String address, boolean answerArp, boolean reopen) {
        String arp = answerArp ? rearm("arp", "answering", address, reopen)
                : element("add", "arp", "answering", address, true) + "; " + element("delete", "arp", "answering", address, false);
        return nft(arp + "; " + rearm("ip", "serving", address, reopen));
    }

    /** {@code address} is no longer held: no element of it is left. */
    List<String> release(String address) {
        return nft(String.join("; ", element("add", "arp", "held", address, false),
                element("delete", "arp", "held", address, false), element("add", "ip", "held", address, false),
                element("delete", "ip", "held", address, false), element("add", "arp", "answering", address, true),
                element("delete", "arp", "answering", address, false), element("add", "ip", "serving", address, true),
                element("delete", "ip", "serving", address, false)));
    }

    /** Delete, then add with a fresh timeout; {@code reopen}: first an add, so that the delete cannot fail. */
    private String rearm(String family, String set, String address, boolean reopen) {
        return (reopen ? element("add", family, set, address, true) + "; " : "")
                + element("delete", family, set, address, false) + "; " + element("add", family, set, address, true);
    }

    private String element(String verb, String family, String set, String address, boolean timed) {
        return verb + " element " + family + " " + TABLE + " " + set + " { " + address + (timed ? " timeout " + openFor : "")
                + " }";
    }

    private static List<String> nft(String statements) {
        return List.of("nft", statements);
    }
}
