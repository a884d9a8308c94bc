package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The gslb role in a process: alone (node: and gslb: only) or beside listeners, with status, metrics and reloads. */
@Timeout(60)
class GslbNodeTest {

    @RegisterExtension
    final TestNodes nodes = new TestNodes();

    private static final String GSLB = """
            gslb:
              bind: 127.0.0.1:0
              zone: example.com.
              health: { interval: 100ms, timeout: 80ms, rise: 1, fall: 1 }
              records:
                - name: api.example.com.
                  ttl: 10
                  policy: failover
                  targets:
                    - { address: 203.0.113.10, region: us-east, check: "http://${be1}/healthz" }
                    - { address: 192.0.2.10,   region: eu-west, check: "tcp://${be2}" }
            """;

    private static List<String> ask(InetSocketAddress dns, String name) throws IOException {
        byte[] q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)).toWire();
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(2000);
            s.send(new DatagramPacket(q, q.length, dns));
            byte[] buf = new byte[1232];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            return new Message(java.util.Arrays.copyOf(buf, p.getLength())).getSection(Section.ANSWER).stream()
                    .map(Record::rdataToString).toList();
        }
    }

    private static String get(HttpClient http, TestNode node, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.node.adminAddress().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aProcessWithOnlyNodeAndGslbRunsTheDnsServerAlone() throws Exception {
        TestNode dns = nodes.start(2, "node: { id: dns1, admin: 127.0.0.1:0 }\n" + GSLB);
        try (HttpClient http = HttpClient.newHttpClient()) {
            InetSocketAddress at = dns.node.dnsAddress();
            await().atMost(Duration.ofSeconds(5)).until(() -> get(http, dns, "/api/v1/status").contains("\"state\":\"up\""));
            assertThat(ask(at, "api.example.com.")).containsExactly("203.0.113.10");
            assertThat(get(http, dns, "/healthz")).isEqualTo("ok\n");

            dns.backend("be1").failHealth(true);
            await().atMost(Duration.ofSeconds(5)).until(() -> ask(at, "api.example.com.").equals(List.of("192.0.2.10")));
            String status = get(http, dns, "/api/v1/status");
            assertThat(status).contains("\"gslb\":{\"bind\":\"/127.0.0.1:" + at.getPort() + "\",\"zone\":\"example.com.\"")
                    .contains("\"state\":\"down\",\"last_result\":\"HTTP 503 (expected 200-399)\",\"agreed\":\"down\",\"votes\":1,"
                            + "\"down_votes\":1,\"peer_states\":{},\"answering\":false");
            assertThat(get(http, dns, "/metrics")).contains("gatehouse_gslb_queries_total{rcode=\"noerror\",type=\"A\"}")
                    .contains("gatehouse_gslb_target_up{record=\"api.example.com.\",region=\"us-east\",target=\"203.0.113.10\"} 0.0");
        }
    }

    @Test
    void peersTakeEachOthersVerdictsFromTheAdminApiWhichServesThemWithoutAToken() throws Exception {
        AdminTokens.write(nodes.dir());
        TestNode dns1 = nodes.start(2, "node: { id: dns1, admin: 127.0.0.1:0 }\n" + GSLB);
        TestNode dns2 = nodes.start(0, ("node: { id: dns2, admin: { bind: 127.0.0.1:0, token_file: admin.token, "
                + "read_token_file: read.token } }\n" + GSLB + "  peers: [ \"127.0.0.1:%d\" ]\n").formatted(dns1.node.adminAddress().getPort())
                .replace("${be1}", "127.0.0.1:" + dns1.backends.get(0).port()).replace("${be2}", "127.0.0.1:" + dns1.backends.get(1).port()));
        try (HttpClient http = HttpClient.newHttpClient()) {
            assertThat(get(http, dns2, "/api/v1/status")).as("reads need the read token").contains("missing_token");
            assertThat(get(http, dns2, "/api/v1/gslb/checks")).as("but a peer's verdicts are open")
                    .startsWith("{").contains("\"node\":\"dns2\"", "\"zone\":\"example.com.\"", "\"address\":\"203.0.113.10\"");
            await().atMost(Duration.ofSeconds(5)).until(() -> dns2.node.status().gslb().agreement()
                    .equals("majority of this server and 1 of 1 peers"));
            assertThat(dns2.node.status().gslb().peers()).singleElement().satisfies(p -> {
                assertThat(p.node()).isEqualTo("dns1");
                assertThat(p.counted()).isTrue();
                assertThat(p.problem()).isEmpty();
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> dns2.node.status().gslb().targets().getFirst().votes() == 2);

            dns1.close(); // its admin API goes: dns2 is alone, and says so
            await().atMost(Duration.ofSeconds(5)).until(() -> dns2.node.status().gslb().agreement().startsWith("alone"));
        }
    }

    @Test
    void aNodeRunsItBesideItsListenersAndAReloadReplacesTheZone() throws Exception {
        String listeners = """
                node: { id: lb1 }
                listeners: [ { name: web, bind: 127.0.0.1:0, routes: [ { pool: web } ] } ]
                pools: { web: { endpoints: [ { address: "${be1}" } ] } }
                """;
        TestNode lb = nodes.start(2, listeners + GSLB);
        InetSocketAddress at = lb.node.dnsAddress();
        assertThat(lb.node.listenerAddress("web")).isNotNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> ask(at, "api.example.com.").equals(List.of("203.0.113.10")));

        lb.rewrite(listeners + GSLB.replace("203.0.113.10", "203.0.113.99"));
        assertThat(lb.node.reloadFile()).isEmpty();
        InetSocketAddress reloaded = lb.node.dnsAddress();
        await().atMost(Duration.ofSeconds(5)).until(() -> ask(reloaded, "api.example.com.").equals(List.of("203.0.113.99")));
    }
}
