package dev.gatehouse.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.drill.ProbeReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's cluster with preemption on (delay 1 s), as the embedded default has it: lb1 (priority 150) is stopped
 * (SIGTERM: it gives the VIP up as it shuts down) and started again, and once it has caught up and could serve
 * for the whole delay, it takes the VIP back gracefully. A client probes the VIP every 10 ms, with a new connection
 * each time, from before lb1 starts until it serves; and kill -9 of the owner. Skipped unless root.
 */
class PreemptLabTest {

    private static final String URL = "http://" + Lab.VIP + "/";

    @TempDir
    static Path dir;

    private static LabCluster cluster;
    private static Lab lab;

    @BeforeAll
    static void up() throws Exception {
        Lab.assumeAvailable();
        cluster = LabCluster.up("PreemptLabTest", dir, Duration.ofSeconds(1));
        lab = cluster.lab();
    }

    @AfterAll
    static void down() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aRestartedPreferredNodeIsHandedTheVipBackWithoutAFailedRequest() throws Exception {
        List<Long> outages = new ArrayList<>();
        for (int run = 1; run <= 5; run++) {
            await().atMost(LabCluster.STARTUP).until(() -> "lb1".equals(cluster.owner()) && cluster.canServe("lb2"));
            cluster.member("lb1").terminate(Duration.ofSeconds(30));
            // settled on lb2: the scenario is the way back, not the shutdown
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(20)).until(() -> cluster.owns("lb2"));
            long epoch = cluster.epoch("lb2");
            try (DualOwnerSampler vip = lab.watchVip(LabCluster.NODES); ArpSampler arp = lab.sampleArp(Duration.ofMillis(10));
                    LabProbe probe = lab.probe(URL, 6000, Duration.ofMillis(10))) {
                probe.awaitStarted();
                cluster.start("lb1");
                await().atMost(LabCluster.STARTUP).until(() -> cluster.owns("lb1") && !cluster.owns("lb2"));
                ProbeReport report = probe.stopAndReport(Duration.ofSeconds(30));
                long back = cluster.epoch("lb1");
                System.out.printf("lab preempt back run %d: restarted lb1 took the VIP back from lb2 (epoch %d -> %d); %s;"
                        + " address overlap %d ms; %s%n", run, epoch, back, report.summary(), vip.dualOwnerMillis(), arp.summary());
                outages.add(report.outageMillis());
                assertThat(report.failed()).isZero();
                assertThat(arp.dualOwnerInstants()).isZero();
                assertThat(back).as("one move back").isEqualTo(epoch + 1);
            }
        }
        System.out.println("lab preempt back: outages " + outages + " ms");
    }

    /** With preemption on, a killed owner's successor is never asked to hand the VIP back to the dead node. */
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void killNineOfTheOwnerMovesTheVipOnceWithPreemptionOn() throws Exception {
        KillNineDrill.run(cluster, URL, "preempt on");
    }
}
