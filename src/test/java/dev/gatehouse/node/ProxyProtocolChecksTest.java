package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.haproxy.HAProxyCommand;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool with {@code proxy_protocol: v2} whose backends require the header: active checks send it too (command
 * LOCAL), so the pool stays up, while proxied requests carry the client's address (command PROXY).
 */
@Timeout(60)
class ProxyProtocolChecksTest {

    @TempDir
    Path dir;

    @Test
    void checksOfAProxyProtocolPoolSendTheHeaderAndKeepItUp() throws Exception {
        try (ProxyV2Backend http = new ProxyV2Backend(); ProxyV2Backend tcp = new ProxyV2Backend();
                TestNode lb = TestNode.start(dir, 0, """
                        node: { id: lb1 }
                        listeners:
                          - { name: web, bind: 127.0.0.1:0, routes: [ { pool: web } ] }
                          - { name: raw, bind: 127.0.0.1:0, protocol: tcp, pool: raw }
                        pools:
                          web:
                            endpoints: [ { address: "HTTP" } ]
                            proxy_protocol: v2
                            health: { type: http, path: /healthz, interval: 100ms, timeout: 80ms, rise: 1, fall: 2 }
                          raw:
                            endpoints: [ { address: "TCP" } ]
                            proxy_protocol: v2
                            health: { type: tcp, interval: 100ms, timeout: 80ms, rise: 1, fall: 2 }
                        """.replace("HTTP", http.address()).replace("TCP", tcp.address()))) {
            // Ten checks each: five times what would mark the endpoints down (fall 2) if the backends refused them.
            await().atMost(Duration.ofSeconds(10)).until(() -> http.connections() >= 10 && tcp.connections() >= 10);
            assertThat(http.refused.get()).isZero();
            assertThat(tcp.refused.get()).isZero();
            assertThat(lb.node.status().pools()).allSatisfy(p -> assertThat(p.endpoints()).allSatisfy(e ->
                    assertThat(e.state()).isEqualTo("healthy")));
            assertThat(http.headers).allSatisfy(h -> assertThat(h).isEqualTo(new ProxyV2Backend.Header(HAProxyCommand.LOCAL, null, 0)));
            assertThat(tcp.headers).allSatisfy(h -> assertThat(h).isEqualTo(new ProxyV2Backend.Header(HAProxyCommand.LOCAL, null, 0)));

            try (Socket client = new Socket("127.0.0.1", lb.listener("web").getPort())) {
                client.setSoTimeout(5000);
                client.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(RawHttp.readResponse(client.getInputStream())).startsWith("HTTP/1.1 200 ").endsWith("ok");
                int clientPort = client.getLocalPort();
                assertThat(http.headers).anySatisfy(h -> {
                    assertThat(h.command()).isEqualTo(HAProxyCommand.PROXY);
                    assertThat(h.source()).isEqualTo("127.0.0.1");
                    assertThat(h.sourcePort()).isEqualTo(clientPort);
                });
            }
            assertThat(http.count(HAProxyCommand.PROXY)).isEqualTo(1);
        }
    }
}
