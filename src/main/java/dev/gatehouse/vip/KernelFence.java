package dev.gatehouse.vip;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * The nftables commands of the fence that holds even when every process of this node is frozen (a cgroup freeze,
 * SIGSTOP of the JVM and its watchdog, a paused container): the kernel answers ARP for an address and takes its
 * traffic by itself, so a frozen owner's kernel would go on answering after the peer took over, until the address
 * lifetime ran out (at least a second, while the takeover comes after lease * 1.1 + 50 ms).
 *
 * <p>Two tables named {@value #TABLE} (family {@code arp} and {@code ip}) drop, for each address in their
 * {@code held} set, outgoing ARP from it (replies and requests) unless it is in set {@code answering}, and
 * incoming and outgoing IP to and from it unless it is in set {@code serving}. The elements of those two sets
 * carry a timeout, re-armed on every lease renewal to what is left of that lease: the kernel itself closes the
 * fence when the lease ends, frozen processes or not. A handover in progress stops answering ARP for the address at once (the
 * successor's answers and announcements alone move the clients) but keeps serving it, so that requests in flight
 * finish.
 *
 * <p>Each method returns one {@code nft} command: a list of statements nft runs as one transaction. Re-adding an
 * element does not re-arm its timeout, so a renewal adds it (a no-op if it is there), deletes it and adds it again.
 *
 * <p>A re-arm carries its deadline on the kernel's clock and runs only before it ({@link #renew}): a freeze that
 * catches an {@code nft} in flight would otherwise let it re-open the fence when the processes thaw, long after the
 * lease ended and the peer took over (seen in the lab: 12 samples answered by both hosts after a thaw).
 */
final class KernelFence {

    static final String TABLE = "gatehouse";

    private final String openFor;
    /** Seconds since boot, as {@code /proc/uptime} counts them: the clock the re-arm's own guard reads. */
    private final DoubleSupplier uptime;

    /** @param openFor how long after an acquisition the kernel answers and serves the address until its first re-arm */
    KernelFence(Duration openFor, DoubleSupplier uptime) {
        if (openFor.isNegative() || openFor.isZero()) {
            throw new IllegalArgumentException("openFor must be positive, was " + openFor);
        }
        this.openFor = openFor.toMillis() + "ms";
        this.uptime = uptime;
    }

    /** The kernel's seconds since boot (the first field of {@code /proc/uptime}, 10 ms resolution). */
    static double procUptime() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fences {@code address} and opens it for one renewal; {@code install}: creates the tables first. */
    List<String> hold(String address, boolean install) {
        String hold = String.join("; ", element("add", "arp", "held", address, null),
                element("add", "ip", "held", address, null), rearm("arp", "answering", address, openFor),
                rearm("ip", "serving", address, openFor));
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
     * Re-arms the timeouts after a renewal, to close {@code left} from now: {@code answerArp} false during a handover,
     * which stops ARP at once. A re-arm that keeps ARP answered checks the kernel's clock first and does nothing once
     * {@code left} has passed, however long it was held up (a freeze) before it ran; one that stops ARP runs as it
     * is, without the guard's extra processes: it must reach the kernel before the successor answers.
     */
    List<String> renew(String address, boolean answerArp, Duration left) {
        String timeout = Math.max(1, left.toMillis()) + "ms";
        if (!answerArp) {
            return nft(element("add", "arp", "answering", address, timeout) + "; "
                    + element("delete", "arp", "answering", address, null) + "; " + rearm("ip", "serving", address, timeout));
        }
        String arp = rearm("arp", "answering", address, timeout);
        // /proc/uptime counts in hundredths: the deadline is rounded down to one
        String until = String.format(Locale.ROOT, "%.2f", Math.floor((uptime.getAsDouble() + left.toNanos() / 1e9) * 100 - 1) / 100);
        return List.of("sh", "-c", "awk -v until=" + until + " '{ exit !($1 < until) }' /proc/uptime && exec nft \"$1\"",
                "fence", arp + "; " + rearm("ip", "serving", address, timeout));
    }

    /** {@code address} is no longer held: no element of it is left. */
    List<String> release(String address) {
        return nft(String.join("; ", element("add", "arp", "held", address, null),
                element("delete", "arp", "held", address, null), element("add", "ip", "held", address, null),
                element("delete", "ip", "held", address, null), element("add", "arp", "answering", address, openFor),
                element("delete", "arp", "answering", address, null), element("add", "ip", "serving", address, openFor),
                element("delete", "ip", "serving", address, null)));
    }

    private static String rearm(String family, String set, String address, String timeout) {
        return element("add", family, set, address, timeout) + "; " + element("delete", family, set, address, null) + "; "
                + element("add", family, set, address, timeout);
    }

    /** @param timeout null: an element without one */
    private static String element(String verb, String family, String set, String address, String timeout) {
        return verb + " element " + family + " " + TABLE + " " + set + " { " + address + (timeout != null ? " timeout " + timeout : "")
                + " }";
    }

    private static List<String> nft(String statements) {
        return List.of("nft", statements);
    }
}
