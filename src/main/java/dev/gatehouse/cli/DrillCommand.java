package dev.gatehouse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.drill.Probe;
import dev.gatehouse.drill.ProbeReport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A controlled failover: demote the node that owns a VIP while a probe sends a new request to the VIP every
 * 10 ms, then report what a client saw. The demoted node is made available again afterwards.
 */
@Command(name = "drill", description = "Demote the VIP owner while probing the VIP; print the outage and failed requests a client saw.")
final class DrillCommand implements Callable<Integer> {

    @Option(names = "--admin", split = ",", defaultValue = "127.0.0.1:9901,127.0.0.1:9902",
            description = "admin APIs of the nodes (default: the demo's, ${DEFAULT-VALUE})")
    List<String> admins;

    @Option(names = "--vip", description = "the VIP to move (default: the first)")
    String vip;

    @Option(names = "--settle", defaultValue = "2s", converter = DurationConverter.class,
            description = "probing before and after the move (default ${DEFAULT-VALUE})")
    Duration settle;

    @Mixin
    TokenOption token;

    private TokenOption.Token sent;

    @Override
    public Integer call() throws Exception {
        sent = token.token();
        Owner owner = findOwner();
        if (owner == null) {
            System.err.println("drill: no node among " + admins + " owns " + (vip == null ? "a VIP" : "VIP " + vip));
            return 1;
        }
        System.out.printf("drill: %s owns VIP %s; probing http://%s:%d/ with a new connection every 10 ms%n", owner.node,
                owner.vip, owner.address, owner.target.getPort());
        URI url = URI.create("http://" + owner.address + ":" + owner.target.getPort() + "/");
        Probe.warmUp(url, 10, Duration.ofSeconds(2));
        Probe probe = Probe.start(url, 100_000, Duration.ofMillis(10), Duration.ofSeconds(2), r -> { });
        Thread.sleep(settle);
        long demotedAt = System.nanoTime();
        try {
            client(owner.admin).post("/api/v1/cluster/demote");
        } catch (Exception refused) {
            probe.stop();
            throw refused;
        }
        String newOwner = awaitNewOwner(owner, Duration.ofSeconds(20));
        long movedMs = (System.nanoTime() - demotedAt) / 1_000_000;
        Thread.sleep(settle);
        ProbeReport report = probe.stop();
        client(owner.admin).post("/api/v1/cluster/undemote");
        if (newOwner == null) {
            System.out.println("drill: no other node took the VIP within 20 s");
        } else {
            System.out.printf("drill: %s serves VIP %s %d ms after the demote%n", newOwner, owner.vip, movedMs);
        }
        System.out.printf("client saw: %d requests, %d failed, %d delayed (> %d ms), outage %d ms%n", report.requests().size(),
                report.failed(), report.delayed(), ProbeReport.DELAYED.toMillis(), report.outageMillis());
        System.out.println("outcomes: " + report.outcomes());
        return newOwner == null ? 1 : 0;
    }

    private AdminClient client(String admin) {
        return new AdminClient(admin, sent);
    }

    private record Owner(String admin, String node, String vip, String address, InetSocketAddress target) {}

    /** The node that owns the VIP; null when none of the reachable ones does; none reachable is an error. */
    private Owner findOwner() throws Exception {
        AdminClient.Unreachable firstUnreachable = null;
        int reached = 0;
        for (String admin : admins) {
            JsonNode s;
            try {
                s = client(admin).get("/api/v1/status").body();
                reached++;
            } catch (AdminClient.Unreachable unreachable) {
                firstUnreachable = firstUnreachable == null ? unreachable : firstUnreachable;
                continue;
            }
            for (JsonNode v : s.path("cluster").path("vips")) {
                if (v.path("owned_here").asBoolean() && (vip == null || vip.equals(v.path("name").asText()))) {
                    String name = v.path("name").asText();
                    for (JsonNode l : s.path("listeners")) {
                        String bind = l.path("bind").asText();
                        if (l.path("protocol").asText().equals("http") && bind.startsWith("vip:" + name + ":")) {
                            int port = Integer.parseInt(bind.substring(bind.lastIndexOf(':') + 1));
                            String address = v.path("address").asText();
                            return new Owner(admin, s.path("node").asText(), name, address, new InetSocketAddress(address, port));
                        }
                    }
                }
            }
        }
        if (reached == 0 && firstUnreachable != null) {
            throw firstUnreachable;
        }
        return null;
    }

    private String awaitNewOwner(Owner old, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            for (String admin : admins) {
                if (admin.equals(old.admin)) {
                    continue;
                }
                try {
                    JsonNode s = client(admin).get("/api/v1/status").body();
                    for (JsonNode v : s.path("cluster").path("vips")) {
                        if (v.path("name").asText().equals(old.vip) && v.path("owned_here").asBoolean()) {
                            return s.path("node").asText();
                        }
                    }
                } catch (java.io.IOException unreachable) {
                    // that node is down; keep asking the others
                }
            }
            Thread.sleep(10);
        }
        return null;
    }
}
