package dev.gatehouse.vip;

import dev.gatehouse.time.Ticker;
import java.time.Duration;

/**
 * Probes for an address from this process's own ARP socket, run inside a lab host's namespace:
 * {@code ProbeAddressMain IFACE ADDRESS BOUND_MS} prints {@code probing} when it starts, then
 * {@code answered=N free=B error=E ended=NANOS} ({@link System#nanoTime}, one clock for every process of the host)
 * and exits. Where the socket cannot be opened it says {@code error=no-socket} rather than fall back to arping.
 */
public final class ProbeAddressMain {

    /** How long one probe waits for an answer. */
    public static final long ANSWER_WAIT_MS = PacketProbe.ANSWER_WAIT.toMillis();

    private ProbeAddressMain() {}

    public static void main(String[] args) {
        AddressProbe unavailable = (iface, address) -> new AddressProbe.Outcome(0, false, "no-socket");
        PacketProbe probe = new PacketProbe(Ticker.system(), Duration.ofMillis(Long.parseLong(args[2])), unavailable);
        ArpSocket.warmUp();
        System.out.println("probing");
        AddressProbe.Outcome outcome = probe.awaitFree(args[0], args[1]);
        System.out.printf("answered=%d free=%b error=%s ended=%d%n", outcome.answered(), outcome.free(), outcome.error(),
                System.nanoTime());
    }
}
