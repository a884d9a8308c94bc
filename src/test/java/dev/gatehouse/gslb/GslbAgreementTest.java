package dev.gatehouse.gslb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.time.ManualTicker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Three GSLB servers of one zone, each a vantage point with its own checks, each serving its verdicts over HTTP as the
 * admin API does ({@code /api/v1/gslb/checks}): a target is dropped from the answers only when a majority of the
 * servers with a verdict see it down, so one server's own trouble (here: its path to a target is cut) changes no
 * server's answers; all three publish the same serial for the same state; a server whose peers all stop answering
 * answers from its own checks, and says so. A stepped clock; real HTTP checks and fetches on loopback.
 */
@Timeout(60)
class GslbAgreementTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    private final ManualTicker clock = new ManualTicker();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    @Test
    void aTargetIsDownOnlyWhenMostVantagePointsSeeItDown() throws Exception {
        AtomicInteger primary = new AtomicInteger(200);
        int primaryPort = health(primary);
        int secondaryPort = health(new AtomicInteger(200));
        int cut = unusedPort(); // server c's way to the primary: nothing answers there
        List<AtomicReference<Gslb>> views = new ArrayList<>();
        List<HttpServer> viewServers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            AtomicReference<Gslb> of = new AtomicReference<>();
            views.add(of);
            viewServers.add(viewServer(of));
        }
        List<TestZones.Server> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<String> peers = new ArrayList<>();
            for (int j = 0; j < 3; j++) {
                if (j != i) {
                    peers.add("\"127.0.0.1:" + viewServers.get(j).getAddress().getPort() + "\"");
                }
            }
            String records = """
                      - name: api.example.com.
                        policy: failover
                        targets:
                          - { address: 203.0.113.10, region: us-east, check: "http://127.0.0.1:%d/healthz" }
                          - { address: 192.0.2.10, region: eu-west, check: "http://127.0.0.1:%d/healthz" }
                    """.formatted(i == 2 ? cut : primaryPort, secondaryPort);
            TestZones.Server s = TestZones.start(TestZones.config("127.0.0.1:0", records,
                    "health: { interval: 1s, timeout: 500ms, rise: 1, fall: 1 }\npeers: [" + String.join(", ", peers) + "]"),
                    "dns" + (char) ('a' + i), clock, Runnable::run);
            closing.add(s);
            views.get(i).set(s.gslb());
            servers.add(s);
        }
        TestZones.Server a = servers.get(0);
        TestZones.Server c = servers.get(2);

        round(servers);
        assertThat(c.gslb().status().targets().getFirst()).satisfies(t -> {
            assertThat(t.state()).as("c's own check").isEqualTo("down");
            assertThat(t.agreed()).isEqualTo("up");
            assertThat(t.votes()).isEqualTo(3);
            assertThat(t.downVotes()).isEqualTo(1);
            assertThat(t.peerStates()).as("what each vantage point sees").containsExactly(entry("dnsa", "up"), entry("dnsb", "up"));
        });
        for (TestZones.Server s : servers) {
            assertThat(addresses(s)).as("one server's cut path changes no answer").containsExactly("203.0.113.10");
        }
        assertThat(c.gslb().status().agreement()).isEqualTo("majority of this server and 2 of 2 peers");
        assertThat(c.events()).as("c's own check is told, and nothing else").singleElement().satisfies(e -> assertThat(e)
                .startsWith("api.example.com. 203.0.113.10: this server's check: down:").endsWith("answers unchanged (not every peer asked yet)"));
        assertThat(servers).extracting(s -> s.gslb().snapshot().serial()).containsOnly(a.gslb().snapshot().serial());

        primary.set(503); // now a and b see it down too
        round(servers);
        for (TestZones.Server s : servers) {
            assertThat(addresses(s)).as("most see it down").containsExactly("192.0.2.10");
        }
        assertThat(servers).extracting(s -> s.gslb().snapshot().serial()).as("the same state, the same serial")
                .containsOnly(a.gslb().snapshot().serial());
        // a's own check tips it: c's standing verdict and a's make two of three
        assertThat(a.events()).anySatisfy(e -> assertThat(e).startsWith(
                "api.example.com. 203.0.113.10: down: 2 of 3 vantage points see it down; this server's check: down: HTTP 503"));

        primary.set(200);
        round(servers);
        viewServers.get(0).stop(0); // c loses both peers
        viewServers.get(1).stop(0);
        for (int i = 0; i < Votes.FRESH_INTERVALS + 1; i++) {
            round(List.of(c));
        }
        assertThat(c.gslb().status().agreement()).isEqualTo("alone: no peer answers; answering from this server's own checks");
        assertThat(c.gslb().status().peers()).allSatisfy(p -> assertThat(p.counted()).isFalse());
        assertThat(c.gslb().status().targets().getFirst().peerStates()).containsOnlyKeys("dnsa", "dnsb").containsValue("stale");
        assertThat(addresses(c)).as("alone, c follows its own checks").containsExactly("192.0.2.10");
        assertThat(c.events()).anySatisfy(e -> assertThat(e).startsWith("peer 127.0.0.1:").contains("does not answer"));
        assertThat(addresses(a)).as("a still has b").containsExactly("203.0.113.10");
    }

    /** One check interval: the clock steps, every server checks, then fetches its peers' verdicts. */
    private void round(List<TestZones.Server> servers) {
        clock.advance(INTERVAL);
        servers.forEach(s -> s.gslb().probeDue());
        servers.forEach(s -> s.gslb().fetchPeers());
    }

    /** An HTTP server answering /api/v1/gslb/checks with the verdicts of the server {@code of} holds. */
    private HttpServer viewServer(AtomicReference<Gslb> of) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/gslb/checks", ex -> {
            byte[] body = JSON.writeValueAsBytes(of.get().ownVerdicts());
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        closing.add(() -> server.stop(0));
        return server;
    }

    private int health(AtomicInteger status) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/healthz", ex -> {
            ex.sendResponseHeaders(status.get(), -1);
            ex.close();
        });
        server.start();
        closing.add(() -> server.stop(0));
        return server.getAddress().getPort();
    }

    private static int unusedPort() throws IOException {
        try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static List<String> addresses(TestZones.Server s) throws IOException {
        Message q = Message.newQuery(Record.newRecord(Name.fromString("api.example.com."), Type.A, DClass.IN));
        Message m = DnsClient.parse(DnsClient.udp(s.gslb().address(), q.toWire()));
        return m.getSection(Section.ANSWER).stream().map(Record::rdataToString).sorted().toList();
    }
}
