package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.demo.DemoBackend;
import dev.gatehouse.time.Ticker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Affinity through the proxy: sticky cookies, and hashing that two independent nodes agree on. */
class AffinityTest {

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aStickyCookieKeepsAClientOnItsBackend() throws Exception {
        try (TestNode lb = TestNode.start(dir, 3, """
                node: { id: lb1 }
                listeners:
                  - { name: web, bind: 127.0.0.1:0, routes: [ { pool: web } ] }
                pools:
                  web:
                    sticky_cookie: GH_ROUTE
                    endpoints: [ { address: "${be1}" }, { address: "${be2}" }, { address: "${be3}" } ]
                """)) {
            Set<String> firstBackends = new HashSet<>();
            for (int client = 0; client < 6; client++) {
                HttpResponse<String> first = send(lb.url("web", "/"), null, null);
                String cookie = first.headers().firstValue("Set-Cookie").orElseThrow();
                assertThat(cookie).startsWith("GH_ROUTE=").contains("Path=/");
                String backend = first.headers().firstValue("X-Backend").orElseThrow();
                firstBackends.add(backend);
                for (int i = 0; i < 10; i++) {
                    HttpResponse<String> again = send(lb.url("web", "/"), "Cookie", cookie.substring(0, cookie.indexOf(';')));
                    assertThat(again.headers().firstValue("X-Backend")).hasValue(backend);
                    assertThat(again.headers().firstValue("Set-Cookie")).isEmpty();
                }
            }
            assertThat(firstBackends).hasSize(3);
        }
    }

    @Test
    void maglevOnAHeaderPicksTheSameBackendOnTwoIndependentNodes() throws Exception {
        String config = """
                node: { id: ID }
                listeners:
                  - { name: web, bind: 127.0.0.1:0, routes: [ { pool: web } ] }
                pools:
                  web:
                    balance: maglev
                    hash_on: header:X-User
                    endpoints: [ { address: "${be1}" }, { address: "${be2}" }, { address: "${be3}" } ]
                """;
        try (TestNode lb1 = TestNode.start(dir, 3, config.replace("ID", "lb1"))) {
            Path second = Files.createDirectories(dir.resolve("lb2"));
            Files.writeString(second.resolve("gatehouse.yaml"), TestNode.substitute(config.replace("ID", "lb2"), lb1.backends));
            try (Node lb2 = Node.start(second.resolve("gatehouse.yaml"), Ticker.system())) {
                Map<String, Integer> perBackend = new HashMap<>();
                for (int user = 0; user < 60; user++) {
                    String id = "user-" + user;
                    String a = send(lb1.url("web", "/"), "X-User", id).headers().firstValue("X-Backend").orElseThrow();
                    String b = send("http://127.0.0.1:" + lb2.listenerAddress("web").getPort() + "/", "X-User", id)
                            .headers().firstValue("X-Backend").orElseThrow();
                    String again = send(lb1.url("web", "/"), "X-User", id).headers().firstValue("X-Backend").orElseThrow();
                    assertThat(b).as("node 2 agrees for " + id).isEqualTo(a);
                    assertThat(again).isEqualTo(a);
                    perBackend.merge(a, 1, Integer::sum);
                }
                assertThat(perBackend).hasSize(3);
                assertThat(perBackend.values()).allSatisfy(n -> assertThat(n).isBetween(8, 35));
            }
        }
    }

    @Test
    void aStickTableKeepsAClientOnItsBackendWhileItServesAndMovesItForGoodWhenNot() throws Exception {
        try (TestNode lb = TestNode.start(dir, 3, """
                node: { id: lb1 }
                listeners:
                  - { name: web, bind: 127.0.0.1:0, routes: [ { pool: web } ] }
                pools:
                  web:
                    hash_on: header:X-User
                    stick: { expire: 10m, size: 1000 }
                    endpoints: [ { address: "${be1}" }, { address: "${be2}" }, { address: "${be3}" } ]
                """)) {
            String url = lb.url("web", "/");
            Map<String, String> first = new HashMap<>();
            for (int user = 0; user < 6; user++) {
                first.put("user-" + user, backend(send(url, "X-User", "user-" + user)));
            }
            assertThat(new HashSet<>(first.values())).as("round robin spread the first picks").hasSize(3);
            for (int round = 0; round < 5; round++) {
                first.forEach((user, backend) -> assertThat(backendOf(url, user)).as(user).isEqualTo(backend));
            }
            send(url, null, null); // no affinity key: picked, not recorded
            assertThat(lb.node.metrics()).contains("gatehouse_stick_entries{pool=\"web\"} 6.0");

            String was = first.get("user-0");
            assertThat(lb.node.drain("web", "127.0.0.1:" + lb.backend(was).port())).isTrue();
            String moved = backendOf(url, "user-0");
            assertThat(moved).isNotEqualTo(was);
            lb.node.enable("web", "127.0.0.1:" + lb.backend(was).port());
            for (int i = 0; i < 5; i++) {
                assertThat(backendOf(url, "user-0")).as("recorded again where it went").isEqualTo(moved);
            }
        }
    }

    @Test
    void aTcpPoolWithAStickTableKeepsASourceAddressOnOneBackend() throws Exception {
        try (TestNode lb = TestNode.start(dir, 3, """
                node: { id: lb1 }
                listeners:
                  - { name: pg, bind: 127.0.0.1:0, protocol: tcp, pool: db }
                pools:
                  db:
                    stick: {}
                    endpoints: [ { address: "${be1}" }, { address: "${be2}" }, { address: "${be3}" } ]
                """)) {
            Set<String> seen = new HashSet<>();
            for (int connection = 0; connection < 6; connection++) {
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", lb.listener("pg").getPort())) {
                    s.getOutputStream().write("GET / HTTP/1.1\r\nHost: db\r\nConnection: close\r\n\r\n"
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    String head = RawHttp.readHead(s.getInputStream()).toLowerCase(java.util.Locale.ROOT);
                    seen.add(head.substring(head.indexOf("x-backend:")).lines().findFirst().orElseThrow());
                }
            }
            assertThat(seen).as("round robin alone would have used all three").hasSize(1);
        }
    }

    private String backendOf(String url, String user) {
        try {
            return backend(send(url, "X-User", user));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String backend(HttpResponse<String> response) {
        return response.headers().firstValue("X-Backend").orElseThrow();
    }

    private HttpResponse<String> send(String url, String header, String value) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (header != null) {
            b.header(header, value);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
