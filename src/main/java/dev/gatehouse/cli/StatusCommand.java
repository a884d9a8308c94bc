package dev.gatehouse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", description = "Show a node's listeners, pools and endpoint states as a table.")
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--admin", defaultValue = AdminClient.DEFAULT, description = "admin API address (default ${DEFAULT-VALUE})")
    String admin;

    @Mixin
    TokenOption token;

    @Override
    public Integer call() throws Exception {
        AdminClient.Reply reply = new AdminClient(admin, token.token()).get("/api/v1/status");
        if (reply.status() != 200) {
            System.err.println("status: " + reply.status() + " " + reply.body());
            return 1;
        }
        System.out.print(render(reply.body()));
        return 0;
    }

    static String render(JsonNode s) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("node %s (%s)  config v%d %s  up %ds%n%n", s.path("node").asText(), s.path("role").asText(),
                s.path("config_version").asLong(), s.path("config_hash").asText().substring(0, 12), s.path("uptime_seconds").asLong()));
        JsonNode cluster = s.path("cluster");
        if (!cluster.isMissingNode() && !cluster.isNull()) {
            out.append(String.format("cluster %s  term %d  leader %s  config v%d%s%n%n", cluster.path("name").asText(),
                    cluster.path("term").asLong(), cluster.path("leader").asText("none"), cluster.path("config_version").asLong(),
                    cluster.path("config_current").asBoolean() ? "" : " (this node is not running it)"));
            Table vips = new Table("VIP", "ADDRESS", "DRIVER", "OWNER", "EPOCH", "HERE", "REASON");
            for (JsonNode v : cluster.path("vips")) {
                boolean active = v.path("mode").asText().equals("active_active");
                vips.row(v.path("name").asText(), v.path("address").asText(), v.path("driver").asText(),
                        active ? "announced by " + announcers(v) : v.path("owner").asText("none"),
                        active ? "-" : v.path("epoch").asText(), v.path("owned_here").asBoolean() ? "serving" : "-",
                        v.path("reason").asText(""));
            }
            out.append(vips).append('\n');
            Table members = new Table("MEMBER", "ADDRESS", "ROLE", "STATE", "LAST HEARD", "PRIORITY", "CAN SERVE", "CONFIG");
            for (JsonNode m : cluster.path("members")) {
                boolean witness = m.path("role").asText().equals("witness");
                long heard = m.path("last_heard_ms").asLong(-1);
                members.row(m.path("id").asText(), m.path("address").asText(), m.path("role").asText(),
                        m.path("up").asBoolean() ? "up" : "down", heard < 0 ? "never" : heard + " ms ago",
                        witness ? "-" : m.path("priority").asText(), witness ? "-" : m.path("can_serve").asBoolean() ? "yes" : "no",
                        witness ? "-" : "v" + m.path("config_version").asLong());
            }
            out.append(members).append('\n');
            if (!cluster.path("bgp_peers").isEmpty()) {
                Table peers = new Table("BGP PEER", "AS", "STATE", "BFD", "UPTIME", "FLAPS", "LAST ERROR");
                for (JsonNode p : cluster.path("bgp_peers")) {
                    long up = p.path("uptime_seconds").asLong(-1);
                    peers.row(p.path("address").asText() + ":" + p.path("port").asText(), p.path("as").asText(),
                            p.path("state").asText(), p.path("bfd").asText("-"), up < 0 ? "-" : up + "s",
                            p.path("flaps").asText(),
                            p.path("last_error").asText("-"));
                }
                out.append(peers).append('\n');
            }
        }
        Table listeners = new Table("LISTENER", "BIND", "PROTOCOL", "CONNECTIONS", "REQUESTS", "REQ/S", "REFUSED BY LIMITS");
        for (JsonNode l : s.path("listeners")) {
            JsonNode limits = l.path("limits");
            long refused = limits.path("refused_by_max_connections").asLong() + limits.path("refused_by_rate").asLong()
                    + limits.path("refused_by_client_cap").asLong();
            listeners.row(l.path("name").asText(), l.path("bind").asText(), l.path("protocol").asText(),
                    l.path("active_connections").asText(), l.path("requests").asText(), l.path("request_rate").asText(),
                    Long.toString(refused));
        }
        out.append(listeners).append('\n');
        Table pools = new Table("POOL", "ENDPOINT", "ZONE", "WEIGHT", "EFFECTIVE", "STATE", "ACTIVE");
        for (JsonNode p : s.path("pools")) {
            String mode = p.path("zone_mode").asText("off");
            String name = p.path("name").asText() + (p.path("panic").asBoolean() ? " (PANIC)" : "")
                    + (mode.equals("local") || mode.equals("spill") ? " (" + mode + " " + p.path("local_zone").asText() + ")" : "");
            for (JsonNode e : p.path("endpoints")) {
                pools.row(name, e.path("address").asText(), e.path("zone").asText("-"), e.path("weight").asText(),
                        e.path("effective_weight").asText(), e.path("state").asText(), e.path("active").asText());
            }
        }
        return out.append(pools).toString();
    }

    /** An active-active VIP's announcing nodes, "none" when none. */
    private static String announcers(JsonNode vip) {
        List<String> ids = new ArrayList<>();
        vip.path("announced_by").forEach(id -> ids.add(id.asText()));
        return ids.isEmpty() ? "none" : String.join(",", ids);
    }
}
