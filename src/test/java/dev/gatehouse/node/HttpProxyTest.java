package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.proxy.TestBackend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP data plane end to end: real clients, a real node, real backends on loopback. */
class HttpProxyTest {

    static final String CONFIG = """
            node: { id: lb1 }
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes:
                  - match: { path_prefix: /only1 }
                    pool: one
                  - pool: web
            pools:
              web:
                balance: round_robin
                endpoints: [ { address: "${be1}" }, { address: "${be2}" }, { address: "${be3}" } ]
              one:
                endpoints: [ { address: "${be1}" } ]
            """;

    @RegisterExtension
    final TestNodes nodes = new TestNodes();

    TestNode lb;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void stop() {
        client.close();
    }

    /** A node whose listener {@code web} sends everything to one backend on {@code port}; {@code poolOptions} extend its pool. */
    private TestNode startBefore(int port, String poolOptions) throws Exception {
        return nodes.start(0, """
                node: { id: lb1 }
                listeners:
                  - { name: web, bind: 127.0.0.1:0, routes: [ { pool: only } ] }
                pools:
                  only: { endpoints: [ { address: "127.0.0.1:%d" } ]%s }
                """.formatted(port, poolOptions));
    }

    @Test
    void spreadsRequestsOverAllBackendsAndRoutesByPath() throws Exception {
        lb = nodes.start(3, CONFIG);
        Load load = Load.run(lb.url("web", "/"), 300, 1, Duration.ofSeconds(30));
        assertThat(load.failures).isEmpty();
        assertThat(load.count("be1")).isEqualTo(100);
        assertThat(load.count("be2")).isEqualTo(100);
        assertThat(load.count("be3")).isEqualTo(100);

        Load routed = Load.run(lb.url("web", "/only1/x"), 30, 2, Duration.ofSeconds(30));
        assertThat(routed.count("be1")).isEqualTo(30);
    }

    @Test
    void forwardsClientAddressAndReusesUpstreamConnections() throws Exception {
        lb = nodes.start(3, CONFIG);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(lb.url("web", "/only1")))
                .header("X-Forwarded-For", "198.51.100.7").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("xff=198.51.100.7, 127.0.0.1");
    }

    @Test
    void streamsALargeUploadAndDownloadWithBoundedMemory() throws Exception {
        lb = nodes.start(1, CONFIG.replace("${be2}", "${be1}").replace("${be3}", "${be1}")
                .replace("[ { address: \"${be1}\" }, { address: \"${be1}\" }, { address: \"${be1}\" } ]", "[ { address: \"${be1}\" } ]"));
        long size = 1L << 30;
        MemoryWatch watch = MemoryWatch.start();
        try (Socket s = new Socket("127.0.0.1", lb.listener("web").getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] block = new byte[256 * 1024];
            for (long left = size; left > 0; left -= block.length) {
                out.write(block, 0, (int) Math.min(block.length, left));
            }
            out.flush();
            String answer = RawHttp.readResponse(s.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 200").contains("received=" + size);
        }
        HttpResponse<InputStream> down = client.send(HttpRequest.newBuilder(URI.create(lb.url("web", "/bytes?n=" + size))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long got;
        try (InputStream in = down.body()) {
            got = in.transferTo(OutputStream.nullOutputStream());
        }
        assertThat(got).isEqualTo(size);
        long peak = watch.stop();
        System.out.printf("1 GiB up + 1 GiB down through the proxy: peak direct memory in use %.1f MiB%n", peak / 1048576.0);
        // 8 MiB measured (the allocator's chunks in use, whatever the body size): twice that catches a body being buffered.
        assertThat(peak).isLessThanOrEqualTo(16L << 20);
    }

    @Test
    void idleKeepAliveClientsHoldNoReadBuffers() throws Exception {
        lb = nodes.start(3, CONFIG);
        Load warm = Load.run(lb.url("web", "/"), 30, 1, Duration.ofSeconds(30));
        assertThat(warm.failures).isEmpty();
        int clients = 300;
        java.util.List<Socket> held = new java.util.ArrayList<>();
        try {
            // The first batch puts the allocator's caches and pages in place (~344 KiB measured, the same for 300
            // or 600 clients); the second batch then shows what each further idle connection holds.
            holdIdleClients(clients, held);
            long before = MemoryWatch.directBytesHandedOut();
            holdIdleClients(clients, held);
            long grown = MemoryWatch.directBytesHandedOut() - before;
            System.out.printf("%d more idle keep-alive clients: direct memory handed out grew %d bytes%n", clients, grown);
            // a read buffer kept per idle connection would be at least 300 x 1 KiB
            assertThat(grown).isLessThan(clients * 256L);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** Opens {@code count} connections, each asking one request and then left open and idle. */
    private void holdIdleClients(int count, java.util.List<Socket> held) throws Exception {
        for (int i = 0; i < count; i++) {
            Socket s = new Socket("127.0.0.1", lb.listener("web").getPort());
            held.add(s);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void relaysExpectContinue() throws Exception {
        lb = nodes.start(3, CONFIG);
        try (Socket s = new Socket("127.0.0.1", lb.listener("web").getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("POST /only1 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String interim = RawHttp.readHead(s.getInputStream());
            assertThat(interim).startsWith("HTTP/1.1 100");
            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200").contains("received=5");
        }
    }

    @Test
    void passesUpgradeThroughAsATunnel() throws Exception {
        try (ServerSocket ws = new ServerSocket(0)) {
            Thread backend = Thread.ofVirtual().start(() -> RawHttp.serveUpgradeEcho(ws));
            lb = startBefore(ws.getLocalPort(), "");
            try (Socket s = new Socket("127.0.0.1", lb.listener("web").getPort())) {
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write(("GET /chat HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String head = RawHttp.readHead(s.getInputStream());
                assertThat(head).startsWith("HTTP/1.1 101").containsIgnoringCase("upgrade: websocket");
                out.write("ping-1".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(new String(s.getInputStream().readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("ping-1");
            }
            backend.join(5000);
        }
    }

    @Test
    void relaysAChunkedUploadAsItCame() throws Exception {
        lb = nodes.start(3, CONFIG);
        try (Socket s = new Socket("127.0.0.1", lb.listener("web").getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("POST /only1 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200").contains("received=11");
        }
    }

    @Test
    void answers504WhenTheBackendIsSlowerThanTheRequestTimeout() throws Exception {
        lb = nodes.start(1, """
                node: { id: lb1 }
                listeners:
                  - { name: web, bind: 127.0.0.1:0, routes: [ { pool: slow } ] }
                pools:
                  slow: { endpoints: [ { address: "${be1}" } ], timeouts: { request: 300ms } }
                """);
        long start = System.nanoTime();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(lb.url("web", "/slow?ms=3000"))).build(),
                HttpResponse.BodyHandlers.ofString());
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(tookMs).isBetween(250L, 2500L);
    }

    @Test
    void sendsAProxyProtocolV2HeaderOnEachUpstreamConnection() throws Exception {
        try (ServerSocket backend = new ServerSocket(0)) {
            lb = startBefore(backend.getLocalPort(), ", proxy_protocol: v2");
            try (Socket client = new Socket("127.0.0.1", lb.listener("web").getPort())) {
                client.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                try (Socket upstream = backend.accept()) {
                    upstream.setSoTimeout(5000);
                    byte[] header = upstream.getInputStream().readNBytes(28);
                    assertThat(java.util.Arrays.copyOf(header, 12)).isEqualTo(
                            new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
                    assertThat(header[12]).isEqualTo((byte) 0x21);
                    assertThat(header[13]).isEqualTo((byte) 0x11);
                    int sourcePort = (header[24] & 0xff) << 8 | (header[25] & 0xff);
                    assertThat(sourcePort).isEqualTo(client.getLocalPort());
                    assertThat(RawHttp.readHead(upstream.getInputStream())).startsWith("GET / HTTP/1.1");
                    upstream.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                }
                assertThat(RawHttp.readResponse(client.getInputStream())).startsWith("HTTP/1.1 200").endsWith("ok");
            }
        }
    }

    @Test
    void closesAClientThatAsksForItAndKeepsTheBackendConnectionForTheNext() throws Exception {
        try (TestBackend backend = TestBackend.start(s -> {
            // keep-alive: answer every request on the connection until the proxy closes it
            while (!RawHttp.readHead(s.getInputStream()).isEmpty()) {
                s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            }
        })) {
            lb = startBefore(backend.address().getPort(), "");
            int requests = 4 * Runtime.getRuntime().availableProcessors();
            for (int i = 0; i < requests; i++) {
                try (Socket client = new Socket("127.0.0.1", lb.listener("web").getPort())) {
                    client.setSoTimeout(5000);
                    client.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(RawHttp.readResponse(client.getInputStream())).startsWith("HTTP/1.1 200").endsWith("ok");
                    assertThat(client.getInputStream().read()).as("the proxy closed the client").isEqualTo(-1);
                }
            }
            // each event loop keeps its own backend connections
            assertThat(backend.accepted()).isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
        }
    }

    @Test
    void answers503WhenAPoolHasNoEndpointUp() throws Exception {
        lb = nodes.start(0, """
                node: { id: lb1 }
                listeners:
                  - { name: web, bind: 127.0.0.1:0, routes: [ { pool: dead } ] }
                pools:
                  dead: { endpoints: [ { address: "127.0.0.1:9" } ], retries: 0 }
                """);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(lb.url("web", "/"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(502);
    }
}
