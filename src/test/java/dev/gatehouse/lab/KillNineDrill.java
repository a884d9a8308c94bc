package dev.gatehouse.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.drill.ProbeReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * kill -9 of the VIP's owner under a probe, five times, the victim restarted after each: the VIP address leaves the
 * dead node at once, the survivor takes the VIP once (one epoch, no move back while the victim is dead), no two
 * hosts answer for it, and fresh ARP reaches the survivor. Shared by the lab's clusters with and without preemption.
 */
final class KillNineDrill {

    /** Failed requests per kill: those in flight on the killed node; 3-8 measured (keepalived's default: ~300). */
    static final int MAX_FAILED = 15;
    /**
     * Median outage, the bound: 110-201 ms in 16 full runs (one at load missed 200 by a millisecond), 101-151 ms
     * in the twelve full runs since (the owner's exit is confirmed by its fence links).
     */
    static final long MAX_MEDIAN_OUTAGE_MS = 200;
    /**
     * Median time from the kill until the address left the dead node (its watchdog acts on the death signal, which
     * comes as the JVM's first threads exit): 15-27 ms in 10 kills, medians 22; when it acted on its pipe's end, after
     * the kernel had freed the JVM's memory, 27-184 ms in 63 kills. A median, not a per-kill bound: the lab's own
     * load can starve one kill's {@code ip}.
     */
    static final long MAX_MEDIAN_GONE_MS = 60;

    private KillNineDrill() {}

    /** Runs the drill; returns the sorted outages in ms. */
    static List<Long> run(LabCluster cluster, String url, String label) throws Exception {
        Lab lab = cluster.lab();
        List<Long> outages = new ArrayList<>();
        List<Long> gone = new ArrayList<>();
        for (int run = 1; run <= 5; run++) {
            String victim = steadyOwner(cluster);
            String survivor = LabCluster.other(victim);
            await().atMost(LabCluster.STARTUP).until(() -> cluster.canServe(survivor));
            long epoch = cluster.epoch(victim);
            try {
                ProbeReport report;
                try (DualOwnerSampler vip = lab.watchVip(LabCluster.NODES); LabProbe probe = cluster.probeUnderLoad(url, 800)) {
                    long killedAt = System.nanoTime();
                    cluster.member(victim).kill9();
                    report = probe.awaitReport(Duration.ofSeconds(30));
                    long goneMs = Duration.ofNanos(vip.firstGone(victim, killedAt).orElseThrow() - killedAt).toMillis();
                    System.out.printf("lab kill -9 (%s) run %d: %s killed, its VIP address gone after %d ms, %s took over;"
                            + " %s; %s%n", label, run, victim, goneMs, survivor, report.summary(), vip.summary());
                    gone.add(goneMs);
                    assertThat(vip.dualOwnerInstants()).isZero();
                }
                outages.add(report.outageMillis());
                assertThat(report.failed()).isLessThanOrEqualTo(MAX_FAILED);
                await().atMost(Duration.ofSeconds(15)).until(() -> survivor.equals(cluster.owner()));
                // one acquisition for one failure: the VIP stays at the next epoch while the victim is dead
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> cluster.owns(survivor));
                assertThat(cluster.epoch(survivor)).as("epochs after the kill of %s", victim).isEqualTo(epoch + 1);
                for (int i = 0; i < 10; i++) {
                    lab.exec("client", "ip", "neigh", "flush", "dev", "eth0");
                    assertThat(lab.exec("client", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", url))
                            .isEqualTo("200");
                    assertThat(lab.exec("client", "ip", "neigh", "show", Lab.VIP)).contains(lab.mac(survivor));
                }
            } finally {
                cluster.start(victim);
                await().atMost(LabCluster.STARTUP).until(() -> cluster.canServe(victim));
            }
        }
        outages.sort(null);
        gone.sort(null);
        System.out.println("lab kill -9 of the owner (" + label + "): outages " + outages + " ms, median " + outages.get(2)
                + " ms; address gone after " + gone + " ms");
        assertThat(outages.get(2)).isLessThanOrEqualTo(MAX_MEDIAN_OUTAGE_MS);
        assertThat(gone.get(2)).as("median ms until the dead node's address was gone").isLessThanOrEqualTo(MAX_MEDIAN_GONE_MS);
        return outages;
    }

    /**
     * The owner once it has held the VIP for 3 s: with preemption on, a restarted preferred node takes the VIP back
     * a delay after it can serve, and a kill in the middle of that handover would measure the handover.
     */
    private static String steadyOwner(LabCluster cluster) {
        AtomicReference<String> last = new AtomicReference<>();
        await().during(Duration.ofSeconds(3)).atMost(LabCluster.STARTUP).until(() -> {
            String owner = cluster.owner();
            return owner != null && owner.equals(last.getAndSet(owner));
        });
        return last.get();
    }
}
