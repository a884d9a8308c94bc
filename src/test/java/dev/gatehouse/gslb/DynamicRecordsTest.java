package dev.gatehouse.gslb;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.Tools;
import dev.gatehouse.time.ManualTicker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Dynamic records over real health checks (TCP and HTTP backends on loopback) with a stepped clock. */
@Timeout(60)
class DynamicRecordsTest {

    private final ManualTicker clock = new ManualTicker();
    private final List<AutoCloseable> closing = new java.util.ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    /** An HTTP backend whose /healthz answers {@code status}. */
    private AtomicInteger httpBackend(int[] port) throws IOException {
        return serveHealth(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), port);
    }

    /** Starts {@code server} with a /healthz that answers the returned status (200 at first); its port into {@code port}. */
    private AtomicInteger serveHealth(HttpServer server, int[] port) {
        AtomicInteger status = new AtomicInteger(200);
        server.createContext("/healthz", exchange -> {
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
        closing.add(() -> server.stop(0));
        port[0] = server.getAddress().getPort();
        return status;
    }

    /** An HTTPS backend (a self-signed certificate made by keytool) whose /healthz answers {@code status}. */
    private AtomicInteger httpsBackend(int[] port, java.nio.file.Path dir) throws Exception {
        java.nio.file.Path store = dir.resolve("backend.p12");
        String keytool = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Tools.Output made = Tools.run(List.of(keytool, "-genkeypair", "-alias", "backend", "-keyalg", "EC", "-dname", "CN=backend",
                "-validity", "1", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit"), null, null);
        assertThat(made.exit()).as(made.text()).isZero();
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, "changeit".toCharArray());
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        com.sun.net.httpserver.HttpsServer server =
                com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
        return serveHealth(server, port);
    }

    @Test
    void httpsChecksJudgeTheStatusOverTls(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        int[] https = new int[1];
        AtomicInteger health = httpsBackend(https, dir);
        TestZones.Server s = start("""
                  - name: api.example.com.
                    policy: failover
                    targets:
                      - { address: 203.0.113.10, check: "https://127.0.0.1:%d/healthz" }
                      - { address: 192.0.2.10, check: "tcp://127.0.0.1:9" }
                """.formatted(https[0]), "health: { interval: 1s, timeout: 1s, rise: 1, fall: 1 }");
        s.gslb().probeDue();
        assertThat(s.gslb().status().targets().getFirst()).satisfies(t -> {
            assertThat(t.state()).isEqualTo("up");
            assertThat(t.lastResult()).isEqualTo("HTTP 200");
        });
        health.set(500);
        checks(s, 1);
        assertThat(s.gslb().status().targets().getFirst().lastResult()).isEqualTo("HTTP 500 (expected 200-399)");
        assertThat(addresses(s, "api.example.com.")).as("both down: fail open").containsExactly("192.0.2.10", "203.0.113.10");
    }

    private TestZones.Server start(String record, String more) throws Exception {
        TestZones.Server s = TestZones.start(TestZones.config("127.0.0.1:0", record, more), clock, Runnable::run);
        closing.add(s);
        return s;
    }

    private static Message ask(TestZones.Server s, String name, int type, EDNSOption option) throws IOException {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        if (option != null) {
            q.addRecord(new OPTRecord(1232, 0, 0, 0, option), Section.ADDITIONAL);
        }
        return DnsClient.parse(DnsClient.udp(s.gslb().address(), q.toWire()));
    }

    private static List<String> addresses(TestZones.Server s, String name) throws IOException {
        return addresses(ask(s, name, Type.A, null));
    }

    private static List<String> addresses(Message m) {
        return m.getSection(Section.ANSWER).stream().map(Record::rdataToString).sorted().toList();
    }

    /** Steps the clock by the interval and runs the checks that are due, {@code times} times. */
    private void checks(TestZones.Server s, int times) {
        for (int i = 0; i < times; i++) {
            clock.advance(s.gslb().config().health().interval());
            s.gslb().probeDue();
        }
    }

    @Test
    void failoverLeavesADeadTargetAfterFallIntervalsAndTakesItBackAfterRise() throws Exception {
        int[] http = new int[1];
        AtomicInteger primaryHealth = httpBackend(http);
        ServerSocket secondary = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closing.add(secondary);
        TestZones.Server s = start("""
                  - name: api.example.com.
                    ttl: 10
                    policy: failover
                    targets:
                      - { address: 203.0.113.10, region: us-east, check: "http://127.0.0.1:%d/healthz" }
                      - { address: 192.0.2.10, region: eu-west, check: "tcp://127.0.0.1:%d" }
                """.formatted(http[0], secondary.getLocalPort()), "health: { interval: 1s, timeout: 500ms, rise: 2, fall: 3 }");

        Message warming = ask(s, "api.example.com.", Type.A, null);
        assertThat(warming.getRcode()).as("no SERVFAIL before the first check").isEqualTo(Rcode.NOERROR);
        assertThat(warming.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(addresses(warming)).containsExactly("203.0.113.10");
        assertThat(warming.getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(10);
        assertThat(s.gslb().status().targets()).extracting(GslbStatus.TargetStatus::state).containsExactly("unknown", "unknown");

        s.gslb().probeDue();
        assertThat(s.gslb().status().targets()).extracting(GslbStatus.TargetStatus::state).containsExactly("up", "up");
        long serialUp = s.gslb().snapshot().serial();

        primaryHealth.set(503);
        checks(s, 2);
        assertThat(addresses(s, "api.example.com.")).as("after fall - 1 failed checks").containsExactly("203.0.113.10");
        checks(s, 1);
        assertThat(addresses(s, "api.example.com.")).as("after fall failed checks: interval x fall").containsExactly("192.0.2.10");
        assertThat(s.gslb().snapshot().serial()).isNotEqualTo(serialUp);
        assertThat(s.events()).anySatisfy(e -> assertThat(e).startsWith("api.example.com. 203.0.113.10: down: HTTP 503"));
        assertThat(s.registry().scrape()).contains(
                "gatehouse_gslb_target_up{record=\"api.example.com.\",region=\"us-east\",target=\"203.0.113.10\"} 0.0");
        assertThat(s.gslb().status().targets().getFirst()).satisfies(t -> {
            assertThat(t.state()).isEqualTo("down");
            assertThat(t.lastResult()).contains("503");
            assertThat(t.answering()).isFalse();
        });

        primaryHealth.set(200);
        checks(s, 1);
        assertThat(addresses(s, "api.example.com.")).as("after rise - 1 passes").containsExactly("192.0.2.10");
        checks(s, 1);
        assertThat(addresses(s, "api.example.com.")).as("after rise passes").containsExactly("203.0.113.10");
        assertThat(s.gslb().snapshot().serial()).as("the same state, the same serial").isEqualTo(serialUp);
        assertThat(s.registry().scrape()).contains("gatehouse_gslb_answers_total{record=\"api.example.com.\",target=\"192.0.2.10\"}");
    }

    @Test
    void whenEveryTargetIsDownTheRecordFailsOpenOrAnswersItsFallback() throws Exception {
        String targets = """
                    targets:
                      - { address: 203.0.113.10, check: "tcp://127.0.0.1:9" }
                      - { address: 192.0.2.10, check: "tcp://127.0.0.1:9" }
                """;
        TestZones.Server s = start("""
                  - name: open.example.com.
                    policy: failover
                %s
                  - name: fallback.example.com.
                    policy: all_healthy
                    fallback: [198.51.100.99]
                %s""".formatted(targets, targets), "");
        s.gslb().probeDue(); // nothing listens on port 9: every first check fails
        assertThat(addresses(s, "open.example.com.")).containsExactly("192.0.2.10", "203.0.113.10");
        assertThat(addresses(s, "fallback.example.com.")).containsExactly("198.51.100.99");
        assertThat(ask(s, "open.example.com.", Type.AAAA, null).getSection(Section.AUTHORITY))
                .as("no IPv6 target: NODATA").singleElement().extracting(Record::getType).isEqualTo(Type.SOA);
    }

    @Test
    void allHealthyAndWeightedAnswerFromTheHealthyTargets() throws Exception {
        ServerSocket up1 = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServerSocket up2 = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closing.add(up1);
        closing.add(up2);
        TestZones.Server s = start("""
                  - name: all.example.com.
                    policy: all_healthy
                    targets:
                      - { address: 203.0.113.10, check: "tcp://127.0.0.1:%1$d" }
                      - { address: 192.0.2.10, check: "tcp://127.0.0.1:9" }
                      - { address: "2001:db8::10", check: "tcp://127.0.0.1:%2$d" }
                  - name: weighted.example.com.
                    policy: weighted
                    targets:
                      - { address: 203.0.113.10, weight: 3, check: "tcp://127.0.0.1:%1$d" }
                      - { address: 192.0.2.10, weight: 1, check: "tcp://127.0.0.1:%2$d" }
                      - { address: 198.51.100.10, weight: 5, check: "tcp://127.0.0.1:9" }
                """.formatted(up1.getLocalPort(), up2.getLocalPort()), "");
        s.gslb().probeDue();
        assertThat(addresses(s, "all.example.com.")).containsExactly("203.0.113.10");
        assertThat(addresses(ask(s, "all.example.com.", Type.AAAA, null))).containsExactly("2001:db8:0:0:0:0:0:10");
        Map<String, Integer> seen = new HashMap<>();
        int queries = 400;
        for (int i = 0; i < queries; i++) {
            List<String> a = addresses(s, "weighted.example.com.");
            assertThat(a).hasSize(1);
            seen.merge(a.getFirst(), 1, Integer::sum);
        }
        assertThat(seen).doesNotContainKey("198.51.100.10");
        // weights 3:1 among the healthy: 300 of 400 expected; the bounds are over 6 standard deviations wide
        assertThat(seen.get("203.0.113.10")).isBetween(245, 355);
    }

    @Test
    void geoAnswersByClientSubnetWithItsScopeElseByTheResolversAddress() throws Exception {
        TestZones.Server s = start("""
                  - name: geo.example.com.
                    policy: geo
                    targets:
                      - { address: 203.0.113.10, region: us-east, check: "tcp://127.0.0.1:9", geo: [198.51.100.0/24, 127.0.0.0/8] }
                      - { address: 192.0.2.10, region: eu-west, check: "tcp://127.0.0.1:9", geo: [198.51.0.0/16] }
                      - { address: 192.0.2.20, region: default, check: "tcp://127.0.0.1:9" }
                """, "");
        Message us = ask(s, "geo.example.com.", Type.A, new ClientSubnetOption(24, InetAddress.getByName("198.51.100.0")));
        assertThat(addresses(us)).containsExactly("203.0.113.10");
        assertThat(ecs(us).getScopePrefixLength()).isEqualTo(24);
        Message eu = ask(s, "geo.example.com.", Type.A, new ClientSubnetOption(24, InetAddress.getByName("198.51.7.0")));
        assertThat(addresses(eu)).containsExactly("192.0.2.10");
        // the shortest prefix of 198.51.7.0 inside the /16 and clear of 198.51.100.0/24: 198.51.0.0/18
        assertThat(ecs(eu).getScopePrefixLength()).isEqualTo(18);
        Message other = ask(s, "geo.example.com.", Type.A, new ClientSubnetOption(24, InetAddress.getByName("203.0.113.0")));
        assertThat(addresses(other)).containsExactly("192.0.2.20");
        assertThat(ecs(other).getSourcePrefixLength()).isEqualTo(24);
        assertThat(addresses(ask(s, "geo.example.com.", Type.A, null))).as("by the resolver's address, 127.0.0.1")
                .containsExactly("203.0.113.10");
        Message hidden = ask(s, "geo.example.com.", Type.A, new ClientSubnetOption(0, InetAddress.getByName("0.0.0.0")));
        assertThat(addresses(hidden)).as("source prefix 0: the client hides its address").containsExactly("192.0.2.20");
        assertThat(ecs(hidden).getScopePrefixLength()).isZero();
        Message staticName = ask(s, "ns1.example.com.", Type.A, new ClientSubnetOption(24, InetAddress.getByName("198.51.100.0")));
        assertThat(ecs(staticName).getScopePrefixLength()).as("an answer for everyone").isZero();
    }

    private static ClientSubnetOption ecs(Message m) {
        return (ClientSubnetOption) m.getOPT().getOptions(EDNSOption.Code.CLIENT_SUBNET).getFirst();
    }

    @Test
    void twoServersInTheSameStateHaveTheSameSerial() throws Exception {
        String record = """
                  - name: api.example.com.
                    policy: failover
                    targets:
                      - { address: 203.0.113.10, check: "tcp://127.0.0.1:9" }
                      - { address: 192.0.2.10, check: "tcp://127.0.0.1:9" }
                """;
        TestZones.Server a = start(record, "");
        TestZones.Server b = start(record, "");
        assertThat(a.gslb().snapshot().serial()).isEqualTo(b.gslb().snapshot().serial());
        a.gslb().probeDue();
        assertThat(a.gslb().snapshot().serial()).isNotEqualTo(b.gslb().snapshot().serial());
        b.gslb().probeDue();
        assertThat(a.gslb().snapshot().serial()).isEqualTo(b.gslb().snapshot().serial());
    }
}
