package dev.gatehouse.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.Main;
import dev.gatehouse.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three GSLB servers of one zone in three lab hosts (lb1, lb2, witness), peers of each other, each checking the two
 * targets be1 and be2 over the lab's network, asked with dig from the client: one server's own path to be1 cut
 * changes no server's answers; be1 unplugged leaves every server's answers within interval × fall (plus a fetch);
 * plugged back, be1 is answered again only after rise passing checks, and then stays.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class GslbLabTest {

    private static final String[] SERVERS = {"lb1", "lb2", "witness"};
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final int FALL = 2;
    private static final int RISE = 2;
    private static final String BE1 = "203.0.113.21";
    private static final String BE2 = "203.0.113.22";

    @TempDir
    Path dir;

    @Test
    void theServersAgreeOverTheLabNetwork() throws Exception {
        Lab.assumeAvailable();
        Tools.require("dig", "dnsutils");
        try (Lab lab = Lab.up()) {
            for (String be : new String[] {"be1", "be2"}) {
                lab.spawnJava(be, Main.class, "backend", "--host", lab.address(be), "--port", "8080", "--name", be)
                        .awaitLine(l -> l.startsWith("backend " + be), STARTUP);
            }
            List<LabProcess> servers = new ArrayList<>();
            for (String host : SERVERS) {
                Files.writeString(dir.resolve(host + ".yaml"), config(lab, host));
                servers.add(lab.spawnJava(host, Main.class, "run", "-c", dir.resolve(host + ".yaml").toString()));
            }
            try {
                for (String host : SERVERS) {
                    await().atMost(STARTUP).ignoreExceptions().until(() -> answers(lab, host).equals(List.of(BE1)));
                }

                // 3. one server's own path to be1 cut: its check fails, the others' pass; no answer changes
                lab.cut("lb1", "be1");
                long cut = System.nanoTime();
                while (System.nanoTime() - cut < INTERVAL.multipliedBy(FALL * 4L).toNanos()) {
                    for (String host : SERVERS) {
                        assertThat(answers(lab, host)).as(host + " while lb1 cannot reach be1").containsExactly(BE1);
                    }
                }
                String status = lab.exec("lb1", "curl", "-s", "http://" + lab.address("lb1") + ":9901/api/v1/gslb/checks");
                assertThat(status).as("lb1's own verdict").contains("\"address\":\"" + BE1 + "\"", "\"state\":\"down\"");
                System.out.println("lab gslb: lb1 cut from be1 for " + (System.nanoTime() - cut) / 1_000_000
                        + " ms; every server kept answering " + BE1);
                lab.heal("lb1", "be1");

                // 2. be1 gone for everyone: every server leaves it within interval x fall, plus a fetch of the peers
                lab.unplug("be1");
                long unplugged = System.nanoTime();
                for (String host : SERVERS) {
                    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                            .until(() -> answers(lab, host).equals(List.of(BE2)));
                    long ms = (System.nanoTime() - unplugged) / 1_000_000;
                    System.out.println("lab gslb: be1 unplugged: " + host + " answers " + BE2 + " after " + ms + " ms");
                    assertThat(ms).as(host).isLessThanOrEqualTo(3000);
                }

                // 5. be1 back: answered again only after rise passing checks, then without flapping
                lab.plug("be1");
                long plugged = System.nanoTime();
                for (String host : SERVERS) {
                    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                            .until(() -> answers(lab, host).equals(List.of(BE1)));
                    long ms = (System.nanoTime() - plugged) / 1_000_000;
                    System.out.println("lab gslb: be1 back: " + host + " answers it again after " + ms + " ms");
                    assertThat(ms).as(host + ": not before rise - 1 intervals").isGreaterThanOrEqualTo(INTERVAL.toMillis() * (RISE - 1));
                }
                long watch = System.nanoTime();
                while (System.nanoTime() - watch < INTERVAL.multipliedBy(6).toNanos()) {
                    for (String host : SERVERS) {
                        assertThat(answers(lab, host)).as(host + " after be1 came back").containsExactly(BE1);
                    }
                }
            } finally {
                for (LabProcess s : servers) {
                    s.lines().stream().filter(l -> l.contains("gslb")).forEach(l -> System.out.println(s + ": " + l));
                }
            }
        }
    }

    private static String config(Lab lab, String host) {
        List<String> peers = new ArrayList<>();
        for (String other : SERVERS) {
            if (!other.equals(host)) {
                peers.add("\"" + lab.address(other) + ":9901\"");
            }
        }
        return """
                node: { id: %s, admin: "%s:9901" }
                gslb:
                  bind: "%s:53"
                  zone: example.com.
                  health: { interval: %dms, timeout: 300ms, rise: %d, fall: %d }
                  peers: [ %s ]
                  records:
                    - name: api.example.com.
                      ttl: 5
                      policy: failover
                      targets:
                        - { address: %s, check: "tcp://%s:8080" }
                        - { address: %s, check: "tcp://%s:8080" }
                """.formatted(host, lab.address(host), lab.address(host), INTERVAL.toMillis(), RISE, FALL,
                String.join(", ", peers), BE1, BE1, BE2, BE2);
    }

    /** What {@code server} answers for api.example.com/A, asked with dig from the client. */
    private static List<String> answers(Lab lab, String server) {
        return lab.digA("client", lab.address(server), "api.example.com", 1);
    }
}
