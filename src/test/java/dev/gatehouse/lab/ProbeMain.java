package dev.gatehouse.lab;


import dev.gatehouse.drill.Probe;
import dev.gatehouse.drill.ProbeReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.time.Duration;

/**
 * The lab's client process: {@code ProbeMain URL COUNT INTERVAL_MS TIMEOUT_MS} runs a {@link Probe} from the
 * client namespace and prints {@code start NANOS}, one {@link ProbeReport.Request#line()} per request as it
 * ends, then a summary and {@code done}. A line {@code stop} on stdin ends it before its count.
 */
public final class ProbeMain {

    private static final int WARM_UP = 20;

    private ProbeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 4) {
            System.err.println("usage: ProbeMain URL COUNT INTERVAL_MS TIMEOUT_MS");
            System.exit(2);
        }
        URI url = URI.create(args[0]);
        Duration timeout = Duration.ofMillis(Long.parseLong(args[3]));
        Probe.warmUp(url, WARM_UP, timeout);
        Probe probe = Probe.start(url, Integer.parseInt(args[1]), Duration.ofMillis(Long.parseLong(args[2])), timeout,
                r -> System.out.println(r.line()));
        System.out.println("start " + probe.startedAt());
        // a line "stop" on stdin ends the probe early (the requests in flight still finish)
        Thread.ofVirtual().start(() -> {
            try {
                if ("stop".equals(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine())) {
                    probe.stop();
                }
            } catch (IOException | InterruptedException e) {
                // no one can stop it early then: it runs its count
            }
        });
        ProbeReport report = probe.await();
        System.out.println("summary " + report.summary());
        System.out.println("done");
    }
}
