package dev.gatehouse.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code arp} driver on a real Ethernet segment: a holder process ({@link VipHolderMain}) in lb1 or lb2 owns
 * 203.0.113.10 and serves HTTP on it; the client reaches it by ARP. Skipped unless root.
 */
class ArpVipDriverLabTest {

    private static final String URL = "http://" + Lab.VIP + "/";
    private static final String LEASE_MS = "600";
    private static final Duration STARTUP = Duration.ofSeconds(30);

    private static Lab lab;
    private final List<LabProcess> holders = new ArrayList<>();

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

    /**
     * Leaves the segment as it was: no holder, no VIP on either host (a killed holder's watchdog deletes it, else its
     * lifetime ends), no ARP entry in the client.
     */
    @AfterEach
    void clear() {
        holders.forEach(LabProcess::close);
        for (String host : List.of("lb1", "lb2")) {
            await().atMost(Duration.ofSeconds(3)).until(() -> !lab.exec(host, "ip", "-br", "addr", "show", "dev", "eth0")
                    .contains(" " + Lab.VIP + "/"));
        }
        forgetVip();
    }

    @Test
    void theClientResolvesTheVipToItsOwnerAndGetsAnAnswer() {
        hold("lb1");

        assertThat(get()).isEqualTo("lb1");
        assertThat(lab.exec("client", "ip", "neigh", "show", Lab.VIP)).contains(lab.mac("lb1"));
    }

    @Test
    void gratuitousArpMovesTheClientToTheNewOwnerWithoutItAsking() throws Exception {
        LabProcess lb1 = hold("lb1");
        assertThat(get()).isEqualTo("lb1"); // the client now has an ARP entry pointing at lb1
        String lb2Mac = lab.mac("lb2");

        try (DualOwnerSampler vip = lab.watchVip("lb1", "lb2")) {
            lb1.send("release");
            lb1.awaitLine(l -> l.startsWith("released"), STARTUP);
            hold("lb2");
            long added = vip.firstHeld("lb2", 0).orElseThrow();
            await().atMost(Duration.ofSeconds(2)).until(() -> vip.clientPointsTo(lb2Mac, added).isPresent());
            long convergedMs = Duration.ofNanos(vip.clientPointsTo(lb2Mac, added).getAsLong() - added).toMillis();
            System.out.println("lab: GARP convergence (VIP added on lb2 -> client ARP entry shows lb2's MAC): "
                    + convergedMs + " ms; " + vip.summary());

            assertThat(convergedMs).isLessThanOrEqualTo(100);
            assertThat(vip.dualOwnerInstants()).isZero();
        }
        assertThat(get()).isEqualTo("lb2");
    }

    @Test
    void aKilledOwnersAddressExpiresWithItsLifetimeAndFreshResolutionsReachTheNewOwner() {
        LabProcess lb1 = hold("lb1");
        assertThat(get()).isEqualTo("lb1");

        long expiredMs;
        try (DualOwnerSampler vip = lab.watchVip("lb1", "lb2")) {
            await().atMost(Duration.ofSeconds(2)).until(() -> vip.lastHeldBefore("lb1", System.nanoTime()).isPresent());
            long killed = System.nanoTime();
            lb1.kill9();
            await().atMost(Duration.ofSeconds(3)).until(() -> vip.firstGone("lb1", killed).isPresent());
            long gone = vip.firstGone("lb1", killed).getAsLong();
            expiredMs = Duration.ofNanos(gone - killed).toMillis();
            // The lifetime is 1 s for a 600 ms lease, renewed at each refresh (every 200 ms here).
            System.out.println("lab: VIP address gone from lb1 " + expiredMs + " ms after kill -9, "
                    + Duration.ofNanos(gone - vip.lastHeldBefore("lb1", gone).getAsLong()).toMillis()
                    + " ms after its last lifetime renewal (lifetime 1 s)");
        }
        assertThat(expiredMs).isLessThanOrEqualTo(2000);

        hold("lb2");
        int reachedLb2 = 0;
        for (int i = 0; i < 10; i++) {
            forgetVip();
            if (get().equals("lb2")) {
                reachedLb2++;
            }
        }
        System.out.println("lab: fresh ARP resolutions reaching the new owner: " + reachedLb2 + "/10");
        assertThat(reachedLb2).isEqualTo(10);
    }

    private LabProcess hold(String host) {
        LabProcess holder = lab.spawnJava(host, VipHolderMain.class, host, LEASE_MS);
        holders.add(holder);
        holder.awaitLine(l -> l.startsWith("serving"), STARTUP);
        return holder;
    }

    /** One HTTP request from the client to the VIP; the body names the node that answered. */
    private static String get() {
        return lab.exec("client", "curl", "-sS", "-m", "2", URL).strip();
    }

    private static void forgetVip() {
        lab.exec("client", "ip", "neigh", "flush", "to", Lab.VIP);
    }
}
