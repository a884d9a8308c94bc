package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A TCP and an HTTP listener in front of one pool key a client the same way, so they honour one stick table. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharedStickTableTest {

    @TempDir
    Path dir;

    @Test
    void aClientStuckThroughOneListenerLandsOnTheSameEndpointThroughTheOther() throws Exception {
        try (TestNode lb = TestNode.start(dir, 3, """
                node: { id: lb1 }
                listeners:
                  - { name: web, bind: 127.0.0.1:0, routes: [ { pool: app } ] }
                  - { name: raw, bind: 127.0.0.1:0, protocol: tcp, pool: app }
                pools:
                  app:
                    stick: { expire: 10m, size: 1000 }
                    endpoints: [ { address: "${be1}" }, { address: "${be2}" }, { address: "${be3}" } ]
                """)) {
            InetSocketAddress http = lb.listener("web");
            InetSocketAddress tcp = lb.listener("raw");
            Set<String> firstPicks = new HashSet<>();
            for (int client = 1; client <= 6; client++) {
                String source = "127.0.0." + (10 + client);
                // Half the clients are recorded by the TCP listener, half by the HTTP one.
                boolean tcpFirst = client % 2 == 1;
                String first = backendVia(tcpFirst ? tcp : http, source);
                firstPicks.add(first);
                for (int again = 0; again < 3; again++) {
                    assertThat(backendVia(tcpFirst ? http : tcp, source)).as(source + " through the other listener")
                            .isEqualTo(first);
                    assertThat(backendVia(tcpFirst ? tcp : http, source)).as(source).isEqualTo(first);
                }
            }
            assertThat(firstPicks).as("round robin spread the first picks").hasSize(3);
            assertThat(lb.node.metrics()).as("one entry per client, not one per client and listener")
                    .contains("gatehouse_stick_entries{pool=\"app\"} 6.0");
        }
    }

    /** The backend that answers a request sent from {@code source}; through a TCP listener it is relayed as bytes. */
    private static String backendVia(InetSocketAddress listener, String source) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(listener, 5_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String head = RawHttp.readHead(s.getInputStream()).toLowerCase(Locale.ROOT);
            return head.substring(head.indexOf("x-backend:")).lines().findFirst().orElseThrow();
        }
    }
}
