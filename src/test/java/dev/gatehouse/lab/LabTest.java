package dev.gatehouse.lab;

import dev.gatehouse.drill.ProbeReport;
import dev.gatehouse.vip.ProbeAddressMain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lab fixture itself: cuts drop exactly what they name, and the probe sees an outage as long as the cause. */
class LabTest {

    private static Lab lab;

    @BeforeAll
    static void up() {
        Lab.assumeAvailable();
        lab = Lab.up();
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aCutDropsIpBetweenTwoHostsOnlyUntilHealed() {
        assertThat(connect("lb1", "lb2")).isEqualTo("refused"); // reachable: nothing listens on port 9
        lab.cut("lb1", "lb2");
        try {
            assertThat(connect("lb1", "lb2")).isEqualTo("dropped");
            assertThat(connect("lb2", "lb1")).isEqualTo("dropped");
            assertThat(connect("lb1", "client")).isEqualTo("refused");
            assertThat(connect("lb2", "witness")).isEqualTo("refused");
        } finally {
            lab.heal("lb1", "lb2");
        }
        assertThat(connect("lb1", "lb2")).isEqualTo("refused");
    }

    @Test
    void theProbeMeasuresAnOutageAsLongAsTheOwnerIsUnplugged() {
        LabProcess holder = lab.spawnJava("lb1", VipHolderMain.class, "lb1", "600");
        try {
            holder.awaitLine(l -> l.startsWith("serving"), Duration.ofSeconds(30));
            LabProbe probe = lab.probe("http://" + Lab.VIP + "/", 250, Duration.ofMillis(10));
            long started = probe.awaitStarted();
            awaitNanosAfter(started, Duration.ofMillis(300));
            long unplugged = System.nanoTime();
            lab.unplug("lb1");
            awaitNanosAfter(unplugged, Duration.ofMillis(300));
            lab.plug("lb1");
            ProbeReport report = probe.awaitReport(Duration.ofSeconds(30));
            System.out.println("lab: probe across a 300 ms unplug of the owner: " + report.summary());

            assertThat(report.requests()).hasSize(250);
            assertThat(report.outcomes()).containsKey("ok lb1");
            assertThat(report.failed() + report.delayed()).isPositive();
            // Connections tried while unplugged wait for the SYN retransmit (1 s), hence an outage above the cut.
            assertThat(report.outageMillis()).isBetween(100L, 3000L);
            // After the plug the client re-probes its ARP entry for a while; by 2 s after the start all is prompt again.
            assertThat(report.requests().subList(200, 250)).noneMatch(ProbeReport.Request::bad);
        } finally {
            holder.close();
        }
    }

    @Test
    void aNodesOwnArpProbeSeesTheHolderAndFindsTheAddressFreeSoonAfterItLetsGo() throws Exception {
        lab.exec("lb2", "ip", "addr", "add", Lab.VIP + "/24", "dev", "eth0");
        boolean held = true;
        try (LabProcess prober = lab.spawnJava("lb1", ProbeAddressMain.class, "eth0", Lab.VIP, "5000")) {
            prober.awaitLine(l -> l.equals("probing"), Duration.ofSeconds(30));
            awaitNanosAfter(System.nanoTime(), Duration.ofMillis(200)); // answered meanwhile
            lab.exec("lb2", "ip", "addr", "del", Lab.VIP + "/24", "dev", "eth0");
            held = false;
            long deleted = System.nanoTime();
            String result = prober.awaitLine(l -> l.startsWith("answered="), Duration.ofSeconds(10));
            long afterMs = (Long.parseLong(result.substring(result.indexOf("ended=") + 6)) - deleted) / 1_000_000;
            System.out.println("lab: ARP probe from lb1's own socket: " + result + ", free " + afterMs
                    + " ms after lb2 let go (" + ProbeAddressMain.ANSWER_WAIT_MS + " ms answer wait)");
            assertThat(result).contains("free=true").contains("error=null").doesNotContain("answered=0 ");
            // the answer wait plus scheduling: an arping probe took its own start plus 50 ms more (ArpingProbe in dev.gatehouse.vip)
            assertThat(afterMs).isBetween(0L, 100L); // never free before it was let go
        } finally {
            if (held) {
                lab.exec("lb2", "ip", "addr", "del", Lab.VIP + "/24", "dev", "eth0");
            }
        }
    }

    /** Scenario time, not synchronisation: the unplug must last this long while the probe runs. */
    private static void awaitNanosAfter(long from, Duration span) {
        await().atMost(span.multipliedBy(3)).pollInterval(Duration.ofMillis(5))
                .until(() -> System.nanoTime() - from >= span.toNanos());
    }

    /** Tries a TCP connection from one host to port 9 of another: refused (it answered) or dropped (no answer). */
    private static String connect(String from, String to) {
        LabProcess curl = lab.spawn(from, "curl", "-sS", "-m", "1", "http://" + lab.address(to) + ":9/");
        try {
            int exit = curl.awaitExit(Duration.ofSeconds(5));
            return switch (exit) {
                case 7 -> "refused";
                case 28 -> "dropped";
                default -> "curl exit " + exit + ": " + curl.lines();
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
