package dev.gatehouse.gslb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.FreePorts;
import dev.gatehouse.Tools;
import dev.gatehouse.time.ManualTicker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A standard secondary (Knot DNS) takes the zone from Gatehouse by AXFR, answers it, and follows its NOTIFYs, also
 * when the new serial reads as older (the server steps through one that reads as newer).
 */
@Timeout(120)
class SecondaryTest {

    @TempDir
    Path dir;

    private static Message ask(InetSocketAddress server, String name, int type) throws IOException {
        return DnsClient.parse(DnsClient.udp(server, Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)).toWire()));
    }

    private static List<String> answer(InetSocketAddress server, String name, int type) throws IOException {
        Message m = ask(server, name, type);
        return m == null ? List.of() : m.getSection(Section.ANSWER).stream().map(r -> r.rdataToString()).sorted().toList();
    }

    @Test
    void knotTransfersTheZoneAnswersItAndFollowsAChangedAnswer() throws Exception {
        Tools.require("knotd", "knot");
        int knotPort = FreePorts.on("127.0.0.3");
        try (ServerSocket first = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ServerSocket second = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String records = TestZones.STATIC_RECORDS + """
                      - name: api.example.com.
                        ttl: 10
                        policy: failover
                        targets:
                          - { address: 203.0.113.10, check: "tcp://127.0.0.1:%d" }
                          - { address: 198.51.100.10, check: "tcp://127.0.0.1:%d" }
                    """.formatted(first.getLocalPort(), second.getLocalPort());
            var config = TestZones.config("127.0.0.1:0", records, "secondaries: [127.0.0.3:" + knotPort + "]");
            ManualTicker clock = new ManualTicker();
            try (TestZones.Server gatehouse = TestZones.start(config, clock, Runnable::run)) {
                gatehouse.gslb().probeDue(); // both targets pass their first check: the answer stays 203.0.113.10
                String sections = """
                        remote:
                          - id: gatehouse
                            address: 127.0.0.1@%d
                            via: 127.0.0.3
                        acl:
                          - id: from_gatehouse
                            address: 127.0.0.1
                            action: notify
                        zone:
                          - domain: example.com
                            master: gatehouse
                            acl: from_gatehouse
                            file: "%s/example.com.zone"
                        """.formatted(gatehouse.port(), dir);
                try (Knot knot = Knot.start(dir, "127.0.0.3", knotPort, sections, "example.com.")) {
                    InetSocketAddress gh = gatehouse.gslb().address();
                    InetSocketAddress secondary = knot.address();
                    for (String name : List.of("www.example.com.", "alias.example.com.", "example.com.", "_sip._udp.example.com.",
                            "big.example.com.", "nope.example.com.")) {
                        for (int type : new int[] {Type.A, Type.AAAA, Type.MX, Type.TXT, Type.SRV, Type.CAA, Type.SOA}) {
                            assertThat(answer(secondary, name, type)).as("%s %s", name, Type.string(type)).isEqualTo(answer(gh, name, type));
                        }
                    }
                    Message www = ask(secondary, "www.example.com.", Type.A);
                    assertThat(www.getHeader().getFlag(Flags.AA)).isTrue();
                    assertThat(answer(secondary, "api.example.com.", Type.A)).containsExactly("203.0.113.10");
                    long before = gatehouse.gslb().snapshot().serial();

                    first.close(); // the first target's backend dies
                    for (int i = 0; i < config.health().fall(); i++) {
                        clock.advance(config.health().interval());
                        gatehouse.gslb().probeDue();
                    }
                    assertThat(answer(gh, "api.example.com.", Type.A)).containsExactly("198.51.100.10");
                    long after = gatehouse.gslb().snapshot().serial();
                    assertThat(after).isNotEqualTo(before);
                    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(knot.log())
                            .contains("notify, incoming, remote 127.0.0.1").contains("serial " + after));
                    assertThat(SerialSteps.newer(after, before)).as("this zone's first change reads as newer").isTrue();
                    await().atMost(Duration.ofSeconds(20))
                            .untilAsserted(() -> assertThat(answer(secondary, "api.example.com.", Type.A)).containsExactly("198.51.100.10"));

                    // the first target comes back: its digest serial is the first one again, older than the current one
                    // in serial arithmetic, so the server steps through a serial that reads as newer before it returns
                    try (ServerSocket back = new ServerSocket(first.getLocalPort(), 50, InetAddress.getLoopbackAddress())) {
                        for (int i = 0; i < config.health().rise(); i++) {
                            clock.advance(config.health().interval());
                            gatehouse.gslb().probeDue();
                        }
                        assertThat(answer(gh, "api.example.com.", Type.A)).containsExactly("203.0.113.10");
                        await().atMost(Duration.ofSeconds(30))
                                .untilAsserted(() -> assertThat(answer(secondary, "api.example.com.", Type.A)).containsExactly("203.0.113.10"));
                        await().atMost(Duration.ofSeconds(30))
                                .untilAsserted(() -> assertThat(gatehouse.gslb().snapshot().serial()).isEqualTo(before));
                        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(knot.log()).contains("serial " + before));
                    }
                }
            }
        }
    }
}
