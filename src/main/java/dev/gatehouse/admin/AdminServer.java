package dev.gatehouse.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.config.AdminAccess;
import dev.gatehouse.config.HostPort;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin HTTP API, dashboard, metrics and event stream. Control plane: a JDK HTTP server with a
 * virtual thread per exchange, never on the data plane's event loops. Every request passes {@link AdminAuth}
 * before it is routed; every write it lets through is an event naming the token and the client.
 */
public final class AdminServer {

    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private static final Pattern ENDPOINT_ACTION = Pattern.compile("^/api/v1/pools/([^/]+)/endpoints/([^/]+)/(drain|enable)$");
    private static final int MAX_CONFIG_BYTES = 4 << 20;

    private final HttpServer server;
    private final NodeControl node;
    private final AdminAuth auth;

    private AdminServer(HttpServer server, NodeControl node, AdminAuth auth) {
        this.server = server;
        this.node = node;
        this.auth = auth;
    }

    public static AdminServer start(HostPort bind, AdminAccess access, NodeControl node, MeterRegistry registry) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bind.host(), bind.port()), 64);
        } catch (java.net.BindException e) {
            throw new java.net.BindException("cannot bind the admin API to " + bind + ": " + e.getMessage());
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        AdminServer admin = new AdminServer(server, node, new AdminAuth(access, registry));
        server.createContext("/", admin::handle);
        server.start();
        return admin;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    public void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            AdminAuth.Verdict verdict = auth.check(method, path, ex.getRequestHeaders());
            if (verdict.refusal() != null) {
                refuse(ex, verdict.refusal());
                return;
            }
            route(ex, method, path);
            if (AdminAuth.isWrite(method)) {
                InetSocketAddress client = ex.getRemoteAddress();
                node.events().publish("admin", method + " " + path, "by token " + verdict.token() + " from "
                        + client.getAddress().getHostAddress() + ":" + client.getPort() + ": " + ex.getResponseCode());
            }
        } catch (IOException e) {
            // The client went away mid-answer; nothing to tell it.
        }
    }

    private static void refuse(HttpExchange ex, AdminAuth.Refusal refusal) throws IOException {
        if (refusal.status == 401) {
            ex.getResponseHeaders().set("WWW-Authenticate", refusal == AdminAuth.Refusal.WRONG_TOKEN
                    ? "Bearer realm=\"gatehouse\", error=\"invalid_token\"" : "Bearer realm=\"gatehouse\"");
        }
        json(ex, refusal.status, Map.of("error", refusal.message, "reason", refusal.label()));
    }

    private void route(HttpExchange ex, String method, String path) throws IOException {
        Matcher m = ENDPOINT_ACTION.matcher(path);
        if (m.matches()) {
            if (!method.equals("POST")) {
                send(ex, 405, "text/plain", "use POST\n");
                return;
            }
            String pool = decode(m.group(1));
            String endpoint = decode(m.group(2));
            boolean found = m.group(3).equals("drain") ? node.drain(pool, endpoint) : node.enable(pool, endpoint);
            if (found) {
                json(ex, 200, Map.of("pool", pool, "endpoint", endpoint, "action", m.group(3)));
            } else {
                json(ex, 404, Map.of("error", "no endpoint " + endpoint + " in pool " + pool));
            }
            return;
        }
        switch (method + " " + path) {
            case "GET /api/v1/status" -> json(ex, 200, node.status());
            case "GET /api/v1/history" -> json(ex, 200, node.history());
            case "GET " + AdminAuth.GSLB_CHECKS -> {
                Map<String, Object> verdicts = node.gslbVerdicts();
                json(ex, verdicts == null ? 404 : 200, verdicts == null ? Map.of("error", "this node runs no GSLB server") : verdicts);
            }
            case "GET /healthz" -> {
                String why = node.notServing(); // asked once: the answer's status and body must agree
                send(ex, why == null ? 200 : 503, "text/plain", why == null ? "ok\n" : "not serving: " + why + "\n");
            }
            case "GET /metrics" -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", node.metrics());
            case "GET /api/v1/config" -> send(ex, 200, "application/yaml", node.configYaml());
            case "PUT /api/v1/config" -> putConfig(ex);
            case "GET /api/v1/events" -> streamEvents(ex);
            case "POST /api/v1/cluster/demote" -> clusterAction(ex, node.demote(), "demoted");
            case "POST /api/v1/cluster/undemote" -> clusterAction(ex, node.undemote(), "undemoted");
            case "GET /" -> send(ex, 200, "text/html; charset=utf-8", Dashboard.html());
            default -> json(ex, 404, Map.of("error", "no such resource: " + method + " " + path));
        }
    }

    private static void clusterAction(HttpExchange ex, boolean done, String what) throws IOException {
        if (done) {
            json(ex, 200, Map.of("result", what));
        } else {
            json(ex, 409, Map.of("error", "this node is not in a cluster"));
        }
    }

    private void putConfig(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        // not a type an HTML form can send, so a page could not post a config even if it got past the token
        if (type == null || !(type.startsWith("application/yaml") || type.startsWith("application/x-yaml"))) {
            json(ex, 415, Map.of("error", "send the config as Content-Type: application/yaml"));
            return;
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_CONFIG_BYTES + 1);
        }
        if (body.length > MAX_CONFIG_BYTES) {
            json(ex, 413, Map.of("error", "config larger than " + MAX_CONFIG_BYTES + " bytes"));
            return;
        }
        String yaml = new String(body, StandardCharsets.UTF_8);
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        if (query.containsKey("canary")) {
            putCanary(ex, yaml, query);
            return;
        }
        List<String> errors = node.replaceConfig(yaml);
        if (errors.isEmpty()) {
            json(ex, 200, Map.of("version", node.configVersion()));
        } else {
            json(ex, 422, Map.of("errors", errors));
        }
    }

    /** {@code PUT /api/v1/config?canary=NODE&watch=60s&max_error_rate=1%}: one node first, then all or none. */
    private void putCanary(HttpExchange ex, String yaml, Map<String, String> query) throws IOException {
        java.time.Duration watch;
        double maxErrorRate;
        try {
            watch = dev.gatehouse.config.Durations.parse(query.getOrDefault("watch", "60s"));
            maxErrorRate = dev.gatehouse.config.Percentages.parse(query.getOrDefault("max_error_rate", "1%"));
        } catch (IllegalArgumentException e) {
            json(ex, 400, Map.of("error", e.getMessage()));
            return;
        }
        ConfigAnswer answer = node.canaryConfig(yaml, query.get("canary"), watch, maxErrorRate);
        if (answer.errors().isEmpty()) {
            json(ex, 200, Map.of("version", answer.version(), "canary", query.get("canary"), "watch_ms", watch.toMillis()));
        } else {
            json(ex, 422, Map.of("errors", answer.errors()));
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new java.util.LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                params.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return params;
    }

    /** Server-sent events: the recent ones first, then each new one as it happens, until the client leaves. */
    private void streamEvents(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        BlockingQueue<Events.Event> queue = new LinkedBlockingQueue<>(1000);
        Runnable unsubscribe = node.events().subscribe(queue::offer);
        try (OutputStream out = ex.getResponseBody()) {
            for (Events.Event e : node.events().recent()) {
                writeEvent(out, e);
            }
            out.flush();
            while (true) {
                Events.Event e = queue.poll(15, TimeUnit.SECONDS);
                if (e == null) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                } else {
                    writeEvent(out, e);
                }
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            unsubscribe.run();
        }
    }

    private static void writeEvent(OutputStream out, Events.Event e) throws IOException {
        String frame = "id: " + e.seq() + "\nevent: " + e.type() + "\ndata: " + JSON.writeValueAsString(e) + "\n\n";
        out.write(frame.getBytes(StandardCharsets.UTF_8));
    }

    private static void json(HttpExchange ex, int status, Object body) throws IOException {
        send(ex, status, "application/json", JSON.writeValueAsString(body) + "\n");
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
