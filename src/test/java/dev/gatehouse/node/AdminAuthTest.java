package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may use the admin API, over real HTTP against a node's own admin server: writes need the write token,
 * the read token cannot write, a cross-origin write is refused even with the right token, a browser's form post
 * carries nothing that counts, and a read token, when configured, protects every read but /healthz and the
 * dashboard's static page.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminAuthTest {

    private static final String CONFIG = """
            node: { id: lb1, admin: %s }
            listeners:
              - { name: web, bind: 127.0.0.1:0, routes: [ { pool: web } ] }
            pools:
              web: { endpoints: [ { address: "${be1}" } ] }
            """;

    @TempDir
    Path dir;

    private TestNode lb;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        http.close();
        if (lb != null) {
            lb.close();
        }
    }

    private void start(String admin) throws Exception {
        AdminTokens.write(dir);
        lb = TestNode.start(dir, 1, CONFIG.formatted(admin));
    }

    @Test
    void aWriteNeedsTheWriteToken() throws Exception {
        start("{ bind: 127.0.0.1:0, token_file: admin.token, read_token_file: read.token }");
        String drain = "/api/v1/pools/web/endpoints/" + be1() + "/drain";

        HttpResponse<String> none = send(post(drain));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(none.body()).contains("missing_token");

        HttpResponse<String> wrong = send(AdminTokens.withToken(post(drain), AdminTokens.WRITE + "x"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).contains("invalid_token"));
        assertThat(send(post(drain).header("Authorization", "Basic " + AdminTokens.WRITE)).statusCode()).isEqualTo(401);

        HttpResponse<String> readOnly = send(AdminTokens.withToken(post(drain), AdminTokens.READ));
        assertThat(readOnly.statusCode()).isEqualTo(403);
        assertThat(readOnly.body()).contains("read_only_token");
        assertThat(state()).as("nothing refused changed anything").isEqualTo("healthy");
        assertThat(lb.node.events().recent()).noneMatch(e -> e.type().equals("admin"));

        HttpResponse<String> right = send(AdminTokens.withToken(post(drain), AdminTokens.WRITE));
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(state()).isEqualTo("draining");
        assertThat(lb.node.events().recent()).filteredOn(e -> e.type().equals("admin")).singleElement().satisfies(e -> {
            assertThat(e.subject()).isEqualTo("POST " + drain);
            assertThat(e.detail()).matches("by token admin\\.token from 127\\.0\\.0\\.1:\\d+: 200");
        });

        String metrics = send(AdminTokens.withToken(get("/metrics"), AdminTokens.READ)).body();
        // the Basic attempt carried no bearer token: counted as missing
        assertThat(metrics).contains("gatehouse_admin_refused_total{reason=\"missing_token\",request=\"write\"} 2.0")
                .contains("gatehouse_admin_refused_total{reason=\"wrong_token\",request=\"write\"} 1.0")
                .contains("gatehouse_admin_refused_total{reason=\"read_only_token\",request=\"write\"} 1.0");
    }

    @Test
    void aBrowserCannotForgeAWrite() throws Exception {
        start("{ bind: 127.0.0.1:0, token_file: admin.token }");
        String demote = "/api/v1/pools/web/endpoints/" + be1() + "/drain";
        // what a form on another site posts: a simple content type, the page's Origin, no Authorization
        HttpRequest.Builder form = HttpRequest.newBuilder(URI.create(admin(demote))).header("Origin", "http://evil.example")
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("a=b"));
        assertThat(send(form).statusCode()).isEqualTo(403);
        // even with the token (a script that somehow had it), another origin is refused
        HttpResponse<String> crossOrigin = send(AdminTokens.withToken(post(demote).header("Origin", "http://evil.example"),
                AdminTokens.WRITE));
        assertThat(crossOrigin.statusCode()).isEqualTo(403);
        assertThat(crossOrigin.body()).contains("cross_origin");
        // without an Origin header but from a form, no token: refused as tokenless
        assertThat(send(HttpRequest.newBuilder(URI.create(admin(demote))).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("x"))).statusCode()).isEqualTo(401);
        // a CORS preflight is never granted, so a script's request with Authorization is never sent
        HttpResponse<String> preflight = send(HttpRequest.newBuilder(URI.create(admin(demote))).header("Origin", "http://evil.example")
                .header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "authorization")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(preflight.statusCode()).isEqualTo(403);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(state()).isEqualTo("healthy");

        // the admin's own origin (its dashboard) with the token may write
        String own = "http://127.0.0.1:" + lb.node.adminAddress().getPort();
        assertThat(send(AdminTokens.withToken(post(demote).header("Origin", own), AdminTokens.WRITE)).statusCode()).isEqualTo(200);
        // PUT config only as application/yaml, which no HTML form can send
        String yaml = send(get("/api/v1/config")).body();
        HttpResponse<String> plain = send(AdminTokens.withToken(HttpRequest.newBuilder(URI.create(admin("/api/v1/config")))
                .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString(yaml)), AdminTokens.WRITE));
        assertThat(plain.statusCode()).isEqualTo(415);
        assertThat(lb.node.snapshot().version()).isEqualTo(1);
        assertThat(send(get("/metrics")).body()).contains("gatehouse_admin_refused_total{reason=\"cross_origin\",request=\"write\"} 3.0");
    }

    @Test
    void theShortFormTakesNoWrites() throws Exception {
        start("127.0.0.1:0");
        HttpResponse<String> r = send(AdminTokens.withToken(post("/api/v1/cluster/demote"), AdminTokens.WRITE));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("writes_disabled").contains("token_file");
        assertThat(send(get("/api/v1/status")).statusCode()).as("reads stay open").isEqualTo(200);
    }

    @Test
    void aReadTokenProtectsEveryReadButHealthzAndThePage() throws Exception {
        start("{ bind: 127.0.0.1:0, token_file: admin.token, read_token_file: read.token }");
        for (String path : new String[] {"/api/v1/status", "/api/v1/history", "/api/v1/config", "/metrics"}) {
            HttpResponse<String> none = send(get(path));
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).as(path).isPresent();
            assertThat(send(AdminTokens.withToken(get(path), "not-a-token-of-this-node")).statusCode()).as(path).isEqualTo(401);
            assertThat(send(AdminTokens.withToken(get(path), AdminTokens.READ)).statusCode()).as(path).isEqualTo(200);
            assertThat(send(AdminTokens.withToken(get(path), AdminTokens.WRITE)).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(send(get("/api/v1/events")).statusCode()).isEqualTo(401);
        assertThat(send(get("/healthz")).statusCode()).isEqualTo(200);
        HttpResponse<String> page = send(get("/"));
        assertThat(page.statusCode()).as("the dashboard's page holds no data; it asks for the token").isEqualTo(200);
        assertThat(page.body()).contains("Authorization: \"Bearer \"");
        assertThat(lb.node.events().recent()).as("reads are not events").noneMatch(e -> e.type().equals("admin"));
        assertThat(send(AdminTokens.withToken(get("/metrics"), AdminTokens.READ)).body())
                .contains("gatehouse_admin_refused_total{reason=\"missing_token\",request=\"read\"} 5.0")
                .contains("gatehouse_admin_refused_total{reason=\"wrong_token\",request=\"read\"} 4.0");
    }

    private String be1() {
        return "127.0.0.1:" + lb.backend("be1").port();
    }

    private String state() throws Exception {
        String status = send(AdminTokens.withToken(get("/api/v1/status"), AdminTokens.WRITE)).body();
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(status).path("pools").get(0).path("endpoints").get(0)
                .path("state").asText();
    }

    private String admin(String path) {
        return "http://127.0.0.1:" + lb.node.adminAddress().getPort() + path;
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create(admin(path))).GET();
    }

    private HttpRequest.Builder post(String path) {
        return HttpRequest.newBuilder(URI.create(admin(path))).POST(HttpRequest.BodyPublishers.noBody());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
